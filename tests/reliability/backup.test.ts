// npm run backup while the bot is writing: a consistent copy that opens and checks out.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { runNode } from '../spawn';
import { testDatabase, testServerUrl } from '../test-db';

// The backup is SQLite's online backup of the database file into another file, read back here as
// a file; a PostgreSQL database is backed up with the server's own tools (pg_dump), not by the bot.
describe.skipIf(testServerUrl() !== null)('npm run backup', () => {
  let t: TestBot;
  afterEach(() => t.close());

  it('copies the live database while registrations go on', async () => {
    t = await makeBot();
    const file = join(t.dir, 'backup.db');
    let writing = true;
    const registered = () => t.scalar<number>('SELECT count(*) FROM documents');
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await t.say(`收文登记 标题=备份期间登记的第${i}件 来文单位=测试单位`);
        await new Promise((r) => setImmediate(r)); // let the child's output and exit through
      }
    })();
    const atStart = (await registered())!;
    const result = await runNode('src/jobs/backup-cli.ts', [file], { DATABASE_PATH: t.bot.db.location });
    const atEnd = (await registered())!;
    writing = false;
    await writer;
    expect(atEnd).toBeGreaterThan(atStart); // the bot went on registering while the backup ran
    expect(result.stdout).toContain('integrity ok');
    expect(result.code).toBe(0);
    const copy = new Database(file, { readonly: true });
    const seqs = copy.prepare('SELECT seq FROM documents ORDER BY seq').pluck().all() as number[];
    copy.close();
    expect(seqs.length).toBeGreaterThanOrEqual(atStart);
    expect(seqs.length).toBeLessThanOrEqual(atEnd);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // a consistent moment, no gaps
  });

  it('makes the folder the copy goes into, as the README’s example needs on a fresh clone', async () => {
    t = await makeBot();
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室');
    const file = join(t.dir, 'backups', 'bot-2026-12-01.db'); // no backups/ yet
    const result = await runNode('src/jobs/backup-cli.ts', [file], { DATABASE_PATH: t.bot.db.location });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`created the folder ${join(t.dir, 'backups')}/`);
    expect(result.stdout).toContain('integrity ok, 1 documents');
    expect(result.code).toBe(0);
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare('SELECT reg_no FROM documents').pluck().all()).toEqual(['SW-2026-0001']);
    copy.close();
  });
});

it.runIf(testServerUrl() !== null)('does nothing on PostgreSQL, and says to use pg_dump', async () => {
  const { dir, cleanup } = tempDir();
  const database = await testDatabase(dir);
  try {
    const file = join(dir, 'backup.db');
    const result = await runNode('src/jobs/backup-cli.ts', [file], database.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pg_dump --format=custom');
    expect(existsSync(file)).toBe(false);
  } finally {
    await database.drop();
    cleanup();
  }
});
