import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { createMaintenance } from '../../db/maintenance';
import { tempDir } from '../helpers';

const temp = tempDir();
afterAll(() => temp.cleanup());

// SQLite's write-ahead log and its checkpoints: a unit test of the SQLite file (PostgreSQL's
// maintenance does nothing)
it('checkpoints on its own thread only when stepped: the database file takes the log in then', async () => {
  const path = join(temp.dir, 'bot.db');
  const db = await openDatabase(path);
  const maintenance = createMaintenance(db);
  maintenance.takeOverCheckpoints();
  const before = statSync(path).size;
  // about 6 MB, well past SQLite's own checkpoint threshold of 1,000 pages, had it been left on
  await db.tx(async () => {
    for (let i = 0; i < 3000; i++) await db.run(sql`INSERT INTO units (name, created_at) VALUES (${`单位${i}-${'x'.repeat(2000)}`}, 0)`);
  });
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(5_000_000);
  expect(statSync(path).size).toBe(before);

  await maintenance.step();
  expect(statSync(path).size).toBeGreaterThan(before + 5_000_000);
  expect(await db.all(sql`SELECT count(*) AS n FROM units`)).toEqual([{ n: 3000 }]);

  await maintenance.close();
  await db.close();
});
