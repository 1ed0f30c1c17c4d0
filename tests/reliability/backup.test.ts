// npm run backup while the bot is writing: a consistent copy that opens and checks out.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';
import { runNode } from '../spawn';

let t: TestBot;
afterEach(() => t.close());

it('copies the live database while registrations go on', async () => {
  t = await makeBot();
  const file = join(t.dir, 'backup.db');
  let writing = true;
  const registered = () => t.bot.db.$client.prepare('SELECT count(*) FROM documents').pluck().get() as number;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      await t.say(`收文登记 标题=备份期间登记的第${i}件 来文单位=测试单位`);
      await new Promise((r) => setImmediate(r)); // let the child's output and exit through
    }
  })();
  const atStart = registered();
  const result = await runNode('src/jobs/backup-cli.ts', [file], { DATABASE_PATH: join(t.dir, 'bot.db') });
  const atEnd = registered();
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
  const result = await runNode('src/jobs/backup-cli.ts', [file], { DATABASE_PATH: join(t.dir, 'bot.db') });
  expect(result.stderr).toBe('');
  expect(result.stdout).toContain(`created the folder ${join(t.dir, 'backups')}/`);
  expect(result.stdout).toContain('integrity ok, 1 documents');
  expect(result.code).toBe(0);
  const copy = new Database(file, { readonly: true });
  expect(copy.prepare('SELECT reg_no FROM documents').pluck().all()).toEqual(['SW-2026-0001']);
  copy.close();
});
