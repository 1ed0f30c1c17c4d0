import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client';
import { createMaintenance } from '../../db/maintenance';
import { tempDir } from '../helpers';

const temp = tempDir();
afterAll(() => temp.cleanup());

it('checkpoints on its own thread only when stepped: the database file takes the log in then', async () => {
  const path = join(temp.dir, 'bot.db');
  const db = openDatabase(path);
  const maintenance = createMaintenance(db);
  maintenance.takeOverCheckpoints();
  const before = statSync(path).size;
  // about 6 MB, well past SQLite's own checkpoint threshold of 1,000 pages, had it been left on
  const insert = db.$client.prepare('INSERT INTO units (name, created_at) VALUES (?, 0)');
  db.$client.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(`单位${i}-${'x'.repeat(2000)}`);
  })();
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(5_000_000);
  expect(statSync(path).size).toBe(before);

  await maintenance.step();
  expect(statSync(path).size).toBeGreaterThan(before + 5_000_000);
  expect(db.$client.prepare('SELECT count(*) FROM units').pluck().get()).toBe(3000);

  await maintenance.close();
  closeDatabase(db);
});
