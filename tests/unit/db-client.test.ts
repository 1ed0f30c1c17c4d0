import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changedRows, openDatabase, type Db } from '../../db/client';
import { units } from '../../db/schema';
import { tempDir } from '../helpers';

/** A promise and the function that resolves it: holds a transaction open until the test says so. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

// the SQLite Db; on PostgreSQL the same contract is what the pg project's whole suite stands on
describe('the SQLite Db', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;
  const names = async () => (await db.q.select({ name: units.name }).from(units).orderBy(units.id)).map((u) => u.name);
  const add = (name: string) => db.q.insert(units).values({ name, createdAt: 1 });

  beforeEach(async () => {
    temp = tempDir();
    db = await openDatabase(join(temp.dir, 'bot.db'));
  });
  afterEach(async () => {
    await db.close();
    temp.cleanup();
  });

  it('keeps a commit committed when a callback run after it throws, and runs the callbacks after that one', async () => {
    const ran: string[] = [];
    const warned = new Promise((resolve) => process.once('warning', resolve));
    await expect(
      db.tx(async () => {
        await add('县住建局');
        db.afterCommit(() => {
          throw new Error('wake-up failed');
        });
        db.afterCommit(() => ran.push('second'));
      }),
    ).resolves.toBeUndefined();
    expect(ran).toEqual(['second']);
    expect(await names()).toEqual(['县住建局']);
    expect(String(await warned)).toContain('wake-up failed');
  });

  it('refuses a transaction once closed, instead of waiting forever', async () => {
    const other = await openDatabase(join(temp.dir, 'other.db'));
    await other.close();
    await expect(other.tx(async () => undefined)).rejects.toThrow('closed');
  });

  it('commits a transaction: its writes are read inside it and, once it is done, outside', async () => {
    expect(db.dialect).toBe('sqlite');
    expect(db.inTransaction).toBe(false);
    const result = await db.tx(async () => {
      expect(db.inTransaction).toBe(true);
      expect(changedRows(await db.q.insert(units).values([{ name: '县住建局', createdAt: 1 }, { name: '县水利局', createdAt: 1 }]))).toBe(2);
      expect(await names()).toEqual(['县住建局', '县水利局']);
      return 'done';
    });
    expect(result).toBe('done');
    expect(db.inTransaction).toBe(false);
    expect(await names()).toEqual(['县住建局', '县水利局']);
  });

  it('rolls a failed transaction back whole and passes its error on', async () => {
    await db.tx(() => add('县住建局'));
    await expect(
      db.tx(async () => {
        await add('县水利局');
        await db.run(sql`UPDATE units SET name = '改过的' WHERE name = '县住建局'`);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await names()).toEqual(['县住建局']);
    // the connection is usable again: no transaction was left open on it
    await db.tx(() => add('县教育局'));
    expect(await names()).toEqual(['县住建局', '县教育局']);
  });

  it('rolls back only the inner work of a nested transaction that fails (a savepoint)', async () => {
    await db.tx(async () => {
      await add('县住建局');
      await expect(
        db.tx(async () => {
          await add('县水利局');
          expect(await names()).toEqual(['县住建局', '县水利局']);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      expect(db.inTransaction).toBe(true);
      expect(await names()).toEqual(['县住建局']);
      await db.tx(() => add('县教育局')); // a nested one that succeeds is kept
    });
    expect(await names()).toEqual(['县住建局', '县教育局']);
  });

  it('refuses a write outside a transaction: the connection outside is read-only', async () => {
    // SQLite's own error, whether drizzle passes it on as it is or as the cause of its own
    const code = (e: { code?: string; cause?: { code?: string } }) => e.code ?? e.cause?.code;
    await expect(add('县住建局').catch(code)).resolves.toBe('SQLITE_READONLY');
    await expect(db.run(sql`INSERT INTO units (name, created_at) VALUES ('县水利局', 1)`).catch(code)).resolves.toBe('SQLITE_READONLY');
    expect(await names()).toEqual([]);
  });

  it('never shows a read outside a transaction what another context has not yet committed', async () => {
    const held = gate();
    const written = gate();
    const open = db.tx(async () => {
      await add('县住建局');
      written.open();
      await held.opened;
    });
    await written.opened;
    expect(db.inTransaction).toBe(false); // this context is outside the other's transaction
    expect(await names()).toEqual([]);
    expect(await db.all(sql`SELECT name FROM units`)).toEqual([]);
    held.open();
    await open;
    expect(await names()).toEqual(['县住建局']);
  });

  it('runs two transactions started at once one after the other', async () => {
    const steps: string[] = [];
    const firstHeld = gate();
    const first = db.tx(async () => {
      steps.push('first begins');
      await add('县住建局');
      await firstHeld.opened;
      steps.push('first ends');
    });
    const second = db.tx(async () => {
      steps.push('second begins');
      // what the first wrote is committed by now, not merely visible on a shared connection
      expect(await names()).toEqual(['县住建局']);
      await add('县水利局');
      steps.push('second ends');
    });
    // both asked for the connection; the second waits however long the first takes
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(steps).toEqual(['first begins']);
    firstHeld.open();
    await Promise.all([first, second]);
    expect(steps).toEqual(['first begins', 'first ends', 'second begins', 'second ends']);
    expect(await names()).toEqual(['县住建局', '县水利局']);
  });

  it('starts the next waiting transaction when the one before it fails', async () => {
    const failing = db.tx(async () => {
      await add('县住建局');
      throw new Error('refused');
    });
    const next = db.tx(() => add('县水利局'));
    await expect(failing).rejects.toThrow('refused');
    await next;
    expect(await names()).toEqual(['县水利局']);
  });
});

// openDatabase hands drizzle statements compiled once and reused: a reused statement must behave
// as a freshly prepared one whatever its last user did with it (the write connection's cache)
describe('statement reuse', () => {
  const temp = tempDir();
  let db: Db;
  let sqlite: NonNullable<Db['sqlite']>;
  beforeAll(async () => {
    db = await openDatabase(join(temp.dir, 'bot.db'));
    sqlite = db.sqlite!;
    await db.tx(() => db.q.insert(units).values([{ name: '县住建局', createdAt: 1 }, { name: '县水利局', createdAt: 1 }]));
  });
  afterAll(async () => {
    await db.close();
    temp.cleanup();
  });

  it('gives the same statement back for the same SQL, in its default modes', () => {
    const source = 'SELECT name FROM units ORDER BY id';
    const first = sqlite.prepare(source);
    expect(first.raw().all()).toEqual([['县住建局'], ['县水利局']]);
    first.raw(false).pluck().get();
    const again = sqlite.prepare(source);
    expect(again).toBe(first);
    expect(again.all()).toEqual([{ name: '县住建局' }, { name: '县水利局' }]);
  });

  it('drizzle queries and plain statements of the same SQL do not disturb each other', async () => {
    const query = () => db.q.select({ id: units.id }).from(units).where(eq(units.name, '县水利局'));
    // inside a transaction, so that drizzle runs on the write connection the plain statement uses
    await db.tx(async () => {
      expect(await query()).toEqual([{ id: 2 }]);
      // drizzle left its statement reading raw rows
      expect(sqlite.prepare(query().toSQL().sql).get('县水利局')).toEqual({ id: 2 });
      expect(await query()).toEqual([{ id: 2 }]);
    });
  });

  it('compiles a fresh statement while the cached one is still iterating', () => {
    const source = 'SELECT id FROM units ORDER BY id';
    const seen: number[][] = [];
    for (const row of sqlite.prepare(source).iterate() as Iterable<{ id: number }>) {
      seen.push((sqlite.prepare(source).all() as { id: number }[]).map((r) => r.id + row.id));
    }
    expect(seen).toEqual([[2, 3], [3, 4]]);
  });
});
