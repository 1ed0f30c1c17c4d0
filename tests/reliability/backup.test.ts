// npm run backup while the bot is writing: a consistent copy that opens and checks out.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

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
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['src/jobs/backup-cli.ts', file], { env: { PATH: process.env.PATH!, DATABASE_PATH: join(t.dir, 'bot.db') } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
  const atEnd = registered();
  writing = false;
  await writer;
  expect(atEnd).toBeGreaterThan(atStart); // the bot went on registering while the backup ran
  expect(result.out).toContain('integrity ok');
  expect(result.code).toBe(0);
  const copy = new Database(file, { readonly: true });
  const seqs = copy.prepare('SELECT seq FROM documents ORDER BY seq').pluck().all() as number[];
  copy.close();
  expect(seqs.length).toBeGreaterThanOrEqual(atStart);
  expect(seqs.length).toBeLessThanOrEqual(atEnd);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // a consistent moment, no gaps
});
