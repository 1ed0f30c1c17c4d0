import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../db/client';
import { units } from '../../db/schema';
import { tempDir } from '../helpers';

// openDatabase hands drizzle statements compiled once and reused: a reused statement must behave
// as a freshly prepared one whatever its last user did with it
describe('statement reuse', () => {
  const temp = tempDir();
  let db: Db;
  beforeAll(() => {
    db = openDatabase(join(temp.dir, 'bot.db'));
    db.insert(units).values([{ name: '县住建局', createdAt: 1 }, { name: '县水利局', createdAt: 1 }]).run();
  });
  afterAll(() => {
    closeDatabase(db);
    temp.cleanup();
  });

  it('gives the same statement back for the same SQL, in its default modes', () => {
    const source = 'SELECT name FROM units ORDER BY id';
    const first = db.$client.prepare(source);
    expect(first.raw().all()).toEqual([['县住建局'], ['县水利局']]);
    first.raw(false).pluck().get();
    const again = db.$client.prepare(source);
    expect(again).toBe(first);
    expect(again.all()).toEqual([{ name: '县住建局' }, { name: '县水利局' }]);
  });

  it('drizzle queries and plain statements of the same SQL do not disturb each other', () => {
    const query = db.select({ id: units.id }).from(units).where(eq(units.name, '县水利局'));
    expect(query.get()).toEqual({ id: 2 });
    // drizzle left its statement reading raw rows
    expect(db.$client.prepare(query.toSQL().sql).get('县水利局')).toEqual({ id: 2 });
    expect(query.get()).toEqual({ id: 2 });
  });

  it('compiles a fresh statement while the cached one is still iterating', () => {
    const source = 'SELECT id FROM units ORDER BY id';
    const seen: number[][] = [];
    for (const row of db.$client.prepare(source).iterate() as Iterable<{ id: number }>) {
      seen.push((db.$client.prepare(source).all() as { id: number }[]).map((r) => r.id + row.id));
    }
    expect(seen).toEqual([[2, 3], [3, 4]]);
  });
});
