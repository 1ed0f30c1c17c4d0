// `npm run calendar` as a child process: a year's notice imported from a file (or only shown, with
// --dry-run, keeping nothing), refused when it cannot be read, and the year's month grid. Neither
// depends on the date: the import keeps its instants only in the records it writes.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { tempDir } from '../helpers';
import { runNode } from '../spawn';
import { testDatabase } from '../test-db';

// undone last first: a folder's database is dropped before the folder goes
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function workDir() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}
const NOTICE = new URL('../fixtures/notices/made-up-2027.txt', import.meta.url);

async function cli(dir: string) {
  const database = await testDatabase(dir);
  cleanups.push(() => database.drop());
  return {
    run: (...args: string[]) => runNode('src/jobs/calendar-cli.ts', args, { ...database.env, LOG_LEVEL: 'warn' }),
    /** rows of a query on what the child left in the database */
    rows: async (query: string) => {
      const db = await openDatabase(database.location);
      try {
        return await db.all(sql.raw(query));
      } finally {
        await db.close();
      }
    },
  };
}

/** The January block of `show`'s grid: the first week of 2027 starts on Friday the 1st. */
const firstWeekOfJanuary = (stdout: string) => stdout.split('\n').find((l) => /^ {22}1/.test(l));

describe('npm run calendar', () => {
  it('shows a notice with --dry-run and keeps nothing; without it makes the notice the year’s calendar, which show then draws', async () => {
    const dir = workDir();
    const file = join(dir, '2027年放假通知.txt');
    copyFileSync(NOTICE, file);
    const { run, rows } = await cli(dir);

    const before = await run('show', '2027');
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('2027年没有节假日数据');
    expect(firstWeekOfJanuary(before.stdout)).toMatch(/^ {22}1 {3}\(2\) {2}\(3\) /);

    const dry = await run('import', file, '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('【2027年节假日安排（待确认');
    expect(dry.stdout).toContain('元旦：1月1日—1月3日 放假，共 3 天');
    expect(dry.stdout).toContain('1月1日（周五）：工作日 → 放假（元旦）');
    expect(dry.stdout).toContain('演练，未保存');
    expect(dry.stdout).not.toContain('节假日导入确认'); // nothing kept to confirm in chat
    expect(await rows('SELECT * FROM calendar_notices')).toEqual([]);
    expect(await rows("SELECT * FROM audit_log WHERE action = '节假日导入'")).toEqual([]);

    const done = await run('import', file);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('【2027年节假日安排（待确认');
    expect(done.stdout).toContain('【已导入2027年节假日安排】');
    expect(await rows('SELECT status FROM calendar_notices')).toEqual([{ status: 'confirmed' }]);
    expect(await rows("SELECT actor, target FROM audit_log WHERE action = '节假日导入'")).toEqual([{ actor: 'system:npm run calendar', target: '2027年' }]);

    const after = await run('show', '2027');
    expect(after.code).toBe(0);
    expect(firstWeekOfJanuary(after.stdout)).toMatch(/^ {22}1休 {2}2休 {2}3休 /);
    expect(after.stdout).toContain(' 14班'); // Sunday 14 February, worked for 春节
    expect(after.stdout).toContain('2027年的节假日和调休来自：已导入的国务院办公厅放假通知');
    expect(after.stdout).toContain('春节：2月5日至12日放假，共 8 天；2月14日（周日）、2月20日（周六）上班');
    expect(after.stdout).toContain('图例：');
  });

  it('refuses a text that is not a notice with the reason, storing nothing, and a file it cannot open', async () => {
    const dir = workDir();
    const file = join(dir, 'notice.txt');
    // a notice with a date in a form the reader does not know
    writeFileSync(file, '\ufeff国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：一月一日放假，共1天。\n');
    const { run, rows } = await cli(dir);
    const refused = await run('import', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('无法导入：「元旦」中有一句没有日期');
    expect(refused.stdout).toBe('');
    expect(await rows('SELECT * FROM calendar_notices')).toEqual([]);
    const missing = await run('import', join(dir, 'no-such-file.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'no-such-file.txt')}`);
  });

  it('answers a bad call with its usage and exit code 2', async () => {
    const { run } = await cli(workDir());
    const calls = [[], ['show'], ['show', '27'], ['show', '2027', '--dry-run'], ['import'], ['frobnicate', '2027'], ['show', '2027', '2028'], ['show', '2027', '--now', 'x']];
    for (const result of await Promise.all(calls.map((args) => run(...args)))) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
  });
});
