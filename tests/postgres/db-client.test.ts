// The PostgreSQL Db's own contract, beneath what the pg project's whole suite relies on: its
// transactions run on one pooled connection of their own, nested ones are savepoints (most left
// for the commit to end), and a connection that broke mid-transaction is not handed out again.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../db/client';
import { units } from '../../db/schema';
import { tempDir } from '../helpers';
import { testDatabase, type TestDatabase } from '../test-db';

describe('the PostgreSQL Db', () => {
  let temp: ReturnType<typeof tempDir>;
  let database: TestDatabase;
  let db: Db;
  const names = async () => (await db.q.select({ name: units.name }).from(units).orderBy(units.id)).map((u) => u.name);
  const add = (name: string) => db.q.insert(units).values({ name, createdAt: 1 });

  beforeEach(async () => {
    temp = tempDir();
    database = await testDatabase(temp.dir);
    db = await openDatabase(database.location, { poolSize: 2 });
    expect(db.dialect).toBe('pg');
  });
  afterEach(async () => {
    await db.close();
    await database.drop();
    temp.cleanup();
  });

  it('rolls back a failed nested transaction to its savepoint, keeps the ones that succeeded, and commits the rest', async () => {
    const committed: string[] = [];
    await db.tx(async () => {
      await add('县住建局');
      await db.tx(() => add('县教育局'));
      await expect(
        db.tx(async () => {
          await add('县水利局');
          await db.tx(() => add('县财政局'));
          expect(await names()).toEqual(['县住建局', '县教育局', '县水利局', '县财政局']);
          db.afterCommit(() => committed.push('rolled back'));
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      db.afterCommit(() => committed.push('outer'));
      expect(await names()).toEqual(['县住建局', '县教育局']);
    });
    expect(await names()).toEqual(['县住建局', '县教育局']);
    expect(committed).toEqual(['outer']);
  });

  it('leaves a transaction’s first savepoints to the commit, releases the rest, and releases a failed one as it rolls back to it', async () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      if (typeof args[0] === 'string') sent.push(args[0]);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    try {
      await db.tx(async () => {
        for (let i = 0; i < 50; i++) await db.tx(() => add(`单位${i}`));
        await expect(
          db.tx(async () => {
            await add('不留');
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await db.tx(() => add('再加'));
      });
    } finally {
      spy.mockRestore();
    }
    expect(sent.filter((q) => q.startsWith('SAVEPOINT'))).toHaveLength(52);
    // 51 kept, of which the first eight are left for the commit to end; the failed one released with its rollback
    expect(sent.filter((q) => q.startsWith('RELEASE'))).toHaveLength(51 - 8);
    expect(sent.filter((q) => /^ROLLBACK TO SAVEPOINT (\w+); RELEASE SAVEPOINT \1$/.test(q))).toHaveLength(1);
    expect(await names()).toEqual([...Array.from({ length: 50 }, (_, i) => `单位${i}`), '再加']);
  });

  it('fails a transaction an earlier error aborted instead of reporting it committed, and runs none of its after-commit work', async () => {
    const ran: string[] = [];
    await expect(
      db.tx(async () => {
        await add('县住建局');
        db.afterCommit(() => ran.push('committed'));
        // an error caught without a savepoint to return to: PostgreSQL has aborted the transaction
        await db.run(sql`SELECT 1 / 0`).catch(() => undefined);
      }),
    ).rejects.toThrow('rolled back');
    expect(ran).toEqual([]);
    expect(await names()).toEqual([]);
  });

  it('works on after a connection dies mid-transaction: the dead connection is not handed out again', async () => {
    await db.tx(() => add('县住建局'));
    await expect(
      db.tx(async () => {
        await add('县水利局');
        // the server ends this transaction's connection, as a restart or an administrator would
        await db.all(sql`SELECT pg_terminate_backend(pg_backend_pid())`);
      }),
    ).rejects.toThrow();
    // both of the pool's connections, one after the other and at once, work
    for (let i = 0; i < 3; i++) await db.tx(() => add(`单位${i}`));
    await Promise.all([db.tx(() => add('甲')), db.tx(() => add('乙'))]);
    expect((await names()).filter((n) => n !== '甲' && n !== '乙')).toEqual(['县住建局', '单位0', '单位1', '单位2']);
  });

  it('commits nothing of a transaction whose commit is refused', async () => {
    await db.run(sql`CREATE TABLE pairs (a int, CONSTRAINT only_one UNIQUE (a) DEFERRABLE INITIALLY DEFERRED)`);
    await expect(
      db.tx(async () => {
        await add('县住建局');
        await db.run(sql`INSERT INTO pairs VALUES (1), (1)`);
      }),
    ).rejects.toThrow(/only_one/);
    expect(await names()).toEqual([]);
    await db.tx(() => add('县水利局'));
    expect(await names()).toEqual(['县水利局']);
  });
});
