// The bot as separate processes: the local REPL, the server's start-up and shutdown, ledgers
// made by a child process of their own, and several writers sharing one database file.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import readXlsxFile from 'read-excel-file/node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../db/client';
import { makeLedgerFile } from '../../src/jobs/ledger-file';
import { writeLedger } from '../../src/jobs/ledger-xlsx';
import { createLedgersService } from '../../src/services/ledgers';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { childEnv, runNode, spawnNode, stop } from '../spawn';
import { testDatabase, testServerUrl, type TestDatabase } from '../test-db';

// undone last first: a folder's database is dropped before the folder goes
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
/** A fresh database of the run's dialect in a folder of its own (where exports go): `env` for a child, `location` to look inside. */
async function freshDatabase(): Promise<TestDatabase & { dir: string }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const database = await testDatabase(dir);
  cleanups.push(() => database.drop());
  return { ...database, dir };
}
/** fn on a connection of the test's own to the database the children use, closed after. */
async function connected<T>(database: TestDatabase, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(database.location);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
/** The live processes whose environment holds `entry` (NAME=value); a zombie's cannot be read. */
function processesWith(entry: string): number[] {
  const found: number[] = [];
  for (const p of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(entry)) found.push(Number(p));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
/** `count` 督办 items of 2026, bare (no units, no feedback): a ledger as long as wanted, quickly. */
async function insertItems(db: Db, count: number): Promise<void> {
  // the number padded to five digits by hand: SQLite has printf, PostgreSQL lpad, neither both
  await db.tx(() =>
    db.run(sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
      INSERT INTO supervision_items (reg_no, year, seq, title, source, start_date, deadline, feedback_cycle, status, created_at, updated_at)
      SELECT 'DB-2026-' || substr(CAST(100000 + i AS TEXT), 2), 2026, i, '落实第' || i || '项重点工作', '重点工作', '2026-03-01', '2026-06-30', '一次', 'assigned', 0, 0 FROM n`),
  );
}

// the tools act as of the test's instant, never the machine's date
const NOW = '2026-11-25T09:00:00+08:00';
const quiet = (env: Record<string, string>) => ({ LOG_LEVEL: 'warn', ...env });
const chat = (args: string[], env: Record<string, string>, input = '') => runNode('src/jobs/chat-cli.ts', ['--now', NOW, ...args], quiet(env), input);

describe('npm run chat', () => {
  it('takes piped messages, one per line with \\ continuing a line, and prints each reply', async () => {
    const database = await freshDatabase();
    const script = ['单位新增 名称=县应急管理局 简称=应急局', '收文登记 标题=关于做好防汛工作的通知 \\', '来文单位=市政府办公室 承办单位=应急局', '公文查询 防汛', '待办公文'].join('\n');
    const { code, stdout, stderr } = await chat([], database.env, `${script}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('已新增单位：县应急管理局');
    expect(stdout).toContain('【已登记收文：SW-2026-0001】');
    expect(stdout).toContain('来文单位：市政府办公室');
    expect(stdout).toContain('[办结] 发送：公文办结 SW-2026-0001');
    expect(stdout).toContain('【待办公文（全部）：共 1 件】');
    expect(await connected(database, (db) => db.all(sql`SELECT count(*) AS n FROM documents`))).toEqual([{ n: 1 }]);
  });

  it('acts as someone else with --as, who starts with no rights', async () => {
    const { stdout } = await chat(['--as', 'lark:ou_test'], (await freshDatabase()).env, '我是谁\n收文登记 标题=甲 来文单位=乙\n');
    expect(stdout).toContain('平台用户ID：ou_test');
    expect(stdout).toContain('角色：未授权');
    expect(stdout).toContain('请发送「我是谁」');
  });

  it('refuses a malformed --as or --now', async () => {
    const as = await chat(['--as', 'nobody'], (await freshDatabase()).env);
    expect(as.code).toBe(2);
    expect(as.stderr).toContain('--as expects platform:userId');
    const now = await runNode('src/jobs/chat-cli.ts', ['--now', '2026-12-01'], (await freshDatabase()).env);
    expect(now.code).toBe(2);
    expect(now.stderr).toContain('--now expects an ISO-8601 instant such as 2026-12-01T09:00:00+08:00');
  });

  it('runs as of --now, its clock going on from there', async () => {
    const { stdout } = await runNode('src/jobs/chat-cli.ts', ['--now', '2027-01-04T10:00:00+08:00'], (await freshDatabase()).env, '收文登记 标题=甲 来文单位=乙\n');
    expect(stdout).toContain('【已登记收文：SW-2027-0001】');
    expect(stdout).toContain('收文日期：2027-01-04');
  });
});

describe('npm run admin', () => {
  it('grants, lists and revokes roles from the command line, audited, with clear refusals', async () => {
    const database = await freshDatabase();
    const admin = (...args: string[]) => runNode('src/jobs/admin-cli.ts', args, quiet(database.env));
    expect((await admin('grant', 'lark:ou_boss', '管理员', '--name', '王主任')).stdout).toContain('granted: lark:ou_boss\t管理员\t\t王主任');
    // the database made by the first, the calls that do not depend on each other at once
    const [noUnit, leader, unknown, nobody, nameless] = await Promise.all([
      admin('grant', 'lark:ou_li', '联络员'),
      admin('grant', 'dingtalk:manager1', 'leader'),
      admin('frobnicate'),
      admin('grant', 'nobody', 'staff'),
      admin('grant', 'lark:ou_x', 'staff', '--name'),
    ]);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain('--name goes with grant and takes a name');
    expect(noUnit.code).toBe(1);
    expect(noUnit.stderr).toContain('需要指定单位');
    expect(leader.code).toBe(0);
    expect(unknown.code).toBe(2);
    expect(nobody.code).toBe(2);
    const list = await admin('list');
    expect(list.stdout).toContain('lark:ou_boss\t管理员');
    expect(list.stdout).toContain('dingtalk:manager1\t领导');
    expect((await admin('revoke', 'dingtalk:manager1')).stdout).toContain('revoked: dingtalk:manager1\t无角色');
    expect(await connected(database, (db) => db.all(sql`SELECT count(*) AS n FROM audit_log WHERE actor = 'system:npm run admin'`))).toEqual([{ n: 3 }]);
  });
});

describe('npm run admin -- outbox', () => {
  it('shows what waits per platform, and drops what waits for one platform, audited', async () => {
    const database = await freshDatabase();
    // a trial without Feishu: the unit's contact is a Feishu user, so what the bot tells them waits
    const trial = ['授权 lark:ou_li 角色=员工', '单位新增 名称=县应急管理局 简称=应急局 联络员=@lark:ou_li', '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=应急局'];
    expect((await chat([], database.env, `${trial.join('\n')}\n`)).stdout).toContain('【已登记收文：SW-2026-0001】');
    const db = await openDatabase(database.location);
    try {
      // and one message for DingTalk, and one Feishu message given up on: neither is dropped
      const [row] = await db.all<{ target: string; payload: string; created_at: number }>(sql`SELECT target, payload, created_at FROM outbox WHERE platform = 'lark' AND status = 'pending' ORDER BY id`);
      const add = (dedupeKey: string, platform: string, conversation: string, target: string, status: string) =>
        db.run(sql`INSERT INTO outbox (dedupe_key, platform, conversation, target, payload, status, next_attempt_at, created_at)
          VALUES (${dedupeKey}, ${platform}, ${conversation}, ${target}, ${row!.payload}, ${status}, ${row!.created_at}, ${row!.created_at})`);
      await db.tx(async () => {
        await add('test:dingtalk', 'dingtalk', 'dingtalk:user:manager1', '{"kind":"user","userId":"manager1"}', 'pending');
        await add('test:failed', 'lark', 'lark:user:ou_li', row!.target, 'failed');
      });
      const admin = (...args: string[]) => runNode('src/jobs/admin-cli.ts', args, quiet(database.env));

      const [shown, noPlatform, unknown] = await Promise.all([admin('outbox'), admin('outbox', 'drop'), admin('outbox', 'drop', '--platform', 'wechat')]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('dingtalk\t1\t0\t2026-11-25 09:00');
      expect(shown.stdout).toContain('lark\t1\t1\t2026-11-25 09:00');
      expect(noPlatform.code).toBe(2);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown platform "wechat"');

      const dropped = await admin('outbox', 'drop', '--platform', 'lark');
      expect(dropped).toMatchObject({ code: 0, stdout: 'dropped 1 message(s) waiting for lark\n' });
      const left = await db.all(sql`SELECT platform, status FROM outbox WHERE platform <> 'console' ORDER BY id`);
      expect(left).toEqual([{ platform: 'dingtalk', status: 'pending' }, { platform: 'lark', status: 'failed' }]);
      const audit = await db.all(sql`SELECT actor, target, before, after FROM audit_log WHERE action = '丢弃待发消息' ORDER BY id`);
      expect(audit).toEqual([{ actor: 'system:npm run admin', target: 'outbox:lark', before: '{"pending":1}', after: '{"pending":0}' }]);
    } finally {
      await db.close();
    }
  });
});

describe('npm run export', () => {
  it('writes a ledger workbook from the command line, and refuses a bad call', async () => {
    const database = await freshDatabase();
    await chat([], database.env, '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 收文日期=2026-03-02\n');
    const file = join(database.dir, 'ledger.xlsx');
    const { code, stdout } = await runNode('src/jobs/export-cli.ts', ['公文', '2026', file], quiet(database.env));
    expect(code).toBe(0);
    expect(stdout).toContain('已导出 2026 年公文台账：收文台账 1 行，发文台账 0 行');
    const [incoming] = await readXlsxFile(file);
    expect(incoming!.data[1]!.slice(0, 3)).toEqual(['SW-2026-0001', null, '关于做好防汛工作的通知']);
    expect((await runNode('src/jobs/export-cli.ts', ['财务', file], quiet(database.env))).code).toBe(2);
  });
});

describe('ledger exports', () => {
  const exportRow = async (t: TestBot, id: number) => (await t.rows<{ status: string; file: string | null; error: string | null }>('SELECT status, file, error FROM export_requests WHERE id = ?', id))[0]!;

  it('are made by a child process, costing the bot’s process a small part of the work', async () => {
    const t = await makeBot();
    try {
      await insertItems(t.bot.db, 20_000);
      // CPU time, not the event loop's delays: it is this process's own, however busy the machine
      const cpuMs = async (work: () => Promise<unknown>) => {
        const before = process.cpuUsage();
        await work();
        const { user, system } = process.cpuUsage(before);
        return (user + system) / 1000;
      };
      // the same ledger made here: what the bot would pay without the child process
      const here = await cpuMs(async () => writeLedger(await createLedgersService(t.bot.db).sheets('督办', 2026, null), join(t.dir, 'here.xlsx')));
      const bot = await cpuMs(async () => {
        expect(await t.say('导出 督办 2026')).toContain('正在生成 2026 年督办台账');
        await t.bot.exportWorker.drain();
      });
      expect(bot).toBeLessThan(here / 4);
      const made = await exportRow(t, 1);
      expect(made.status).toBe('done');
      const [sheet] = await readXlsxFile(made.file!);
      expect(sheet!.data).toHaveLength(20_001);
      expect(sheet!.data[20_000]![0]).toBe('DB-2026-20000');
    } finally {
      await t.close();
    }
  });

  it('marks a request failed with the child’s error, tells whoever asked, and carries on', async () => {
    const t = await makeBot();
    try {
      // a directory where the workbook should go: the child cannot write it
      mkdirSync(join(t.dir, 'exports', '督办台账-2026-1.xlsx'), { recursive: true });
      await t.say('导出 督办 2026');
      await t.bot.exportWorker.drain();
      await t.bot.dispatcher.flush();
      expect(await exportRow(t, 1)).toMatchObject({ status: 'failed', file: null, error: expect.stringContaining('EISDIR') });
      expect(t.deliveredTo('console:admin').at(-1)).toContain('2026年督办台账生成失败');
      expect(await t.say('我是谁')).toContain('console');
      await t.say('导出 督办 2026');
      await t.bot.exportWorker.drain();
      expect((await exportRow(t, 2)).status).toBe('done');
    } finally {
      await t.close();
    }
  });

  it('kills a child that takes too long', async () => {
    const { location, dir } = await freshDatabase();
    const job = { database: location, kind: '督办' as const, year: 2026, unitId: null, filePath: join(dir, 'ledger.xlsx') };
    await expect(makeLedgerFile(job, 1)).rejects.toThrow('ledger not made within 0.001 s; its process was killed');
  });
});

describe('npm start', () => {
  // what `npm start` runs once its prestart has built dist/: the bundle under plain node (the
  // shell npm runs it with replaces itself with node: `exec`)
  const [node, ...words] = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.replace(/^exec /, '').split(' ');
  const script = words.at(-1)!;
  const nodeArgs = words.slice(0, -1);
  const start = (env: Record<string, string>) => spawnNode(script, [], env, nodeArgs);
  beforeAll(() => {
    expect(node).toBe('node'); // the script runs the bot itself, so a signal to it reaches the bot
    const build = spawnSync('npm', ['run', 'build', '--silent'], { env: childEnv(), encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
  });

  it('exits 1 listing every bad variable and what it expects', async () => {
    const { code, stderr } = await runNode(script, [], {
      ...(await freshDatabase()).env,
      PORT: 'eighty',
      BOT_TIMEZONE: 'Mars/Olympus',
      ADMIN_IDS: 'just-a-name',
      REMINDER_CRON: 'every morning',
      LARK_APP_ID: 'cli_x',
    }, '', nodeArgs);
    expect(code).toBe(1);
    for (const name of ['PORT', 'BOT_TIMEZONE', 'ADMIN_IDS', 'REMINDER_CRON', 'LARK_APP_SECRET', 'LARK_ENCRYPT_KEY']) expect(stderr).toContain(`${name}:`);
    expect(stderr).toContain('IANA time zone');
    expect(stderr).toContain('platform:userId');
  });

  it('makes the ledgers asked for with the bundled child process', async () => {
    const database = await freshDatabase();
    const child = start({ ...database.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ADMIN_IDS: 'console:admin' });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const db = await openDatabase(database.location);
    try {
      // as long as the other starts here allow: on two busy cores a start takes several times its second
      await vi.waitFor(() => expect(out).toContain('is running'), { timeout: 20_000 });
      await insertItems(db, 3);
      await db.tx(() => db.run(sql`INSERT INTO export_requests (kind, year, person_id, status, requested_at) SELECT '督办', 2026, id, 'pending', 0 FROM people`));
      const requests = () => db.all<{ status: string; file: string; error: string | null }>(sql`SELECT status, file, error FROM export_requests ORDER BY id`);
      // the export worker looks for requests every 2 s when idle
      await vi.waitFor(async () => expect((await requests())[0]!.status).toMatch(/^(done|failed)$/), { timeout: 20_000, interval: 200 });
      const { status, file, error } = (await requests())[0]!;
      expect({ status, error }).toEqual({ status: 'done', error: null });
      expect(dirname(file)).toBe(join(database.dir, 'exports'));
      const [sheet] = await readXlsxFile(file);
      expect(sheet!.data.map((r) => r[0])).toEqual(['编号', 'DB-2026-00001', 'DB-2026-00002', 'DB-2026-00003']);
      expect(out).toContain('ledger exported');
    } finally {
      await db.close();
      await stop(child);
    }
  });

  it('serves /healthz, and on SIGTERM finishes and closes the database cleanly', async () => {
    const database = await freshDatabase();
    const child = start({ ...database.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
    expect(await stop(child)).toEqual({ code: 0, signal: null });
    expect(out).toContain('stopped cleanly');
    // the file left whole: SQLite's own concern (PostgreSQL's server keeps its files itself)
    if (testServerUrl() === null) {
      const db = new Database(database.location);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
  });

  it('says in one line, exiting 1, that the port is held by another process and how to choose another', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const { code, stdout, stderr } = await runNode(script, [], { ...(await freshDatabase()).env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }, '', nodeArgs);
      const line = `政务助手 cannot start: port ${port} is already in use — another process holds it (perhaps 政务助手 is already running). Stop that process, or choose another port: PORT=${port + 1} npm start (or PORT=… in .env).`;
      expect(stderr).toBe(`${line}\n`); // the line and nothing else: no stack
      const fatal = stdout.split('\n').filter((l) => l.includes('"level":60'));
      expect(fatal.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ port, msg: line })]);
      expect(code).toBe(1);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('stops when the npm process itself gets SIGTERM, as a supervisor sends it: the port closes and none of its processes is left', async () => {
    // every process of this `npm start` carries this in its environment (npm passes it on)
    const mark = randomUUID();
    const ours = () => processesWith(`ZWBOT_NPM_START=${mark}`);
    const env = { ...(await freshDatabase()).env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ZWBOT_NPM_START: mark, npm_config_update_notifier: 'false' };
    // npm itself, the process a unit's ExecStart=/usr/bin/npm start or a container's CMD would be;
    // its prestart (the build) ran above: --ignore-scripts runs the start script alone
    const npm = spawn('npm', ['start', '--ignore-scripts'], { env: childEnv(env) });
    let out = '';
    npm.stdout.on('data', (d) => (out += d));
    npm.stderr.on('data', (d) => (out += d));
    try {
      await vi.waitFor(() => expect(out).toMatch(/"port":\d+/), { timeout: 20_000 });
      const health = `http://127.0.0.1:${/"port":(\d+)/.exec(out)![1]}/healthz`;
      expect((await fetch(health)).status).toBe(200);
      // the pid signalled is npm's own (node running npm's command), not a wrapper of it
      expect(basename(readlinkSync(`/proc/${npm.pid}/exe`))).toBe('node');
      expect(ours().length).toBeGreaterThanOrEqual(2); // npm and the bot

      const ended = await stop(npm, 'SIGTERM');
      await expect(fetch(health)).rejects.toThrow(); // nothing answers
      expect(ours()).toEqual([]); // no process of it re-parented and serving on
      expect(out).toContain('stopped cleanly'); // the bot got the signal and stopped as it should
      expect(ended).toEqual({ code: 0, signal: null });
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) await stop(npm, 'SIGKILL');
      for (const pid of ours()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      await vi.waitFor(() => expect(ours()).toEqual([]));
    }
  });
});

describe('registration numbers', () => {
  it('stay gap-free and unique with several processes registering at once', async () => {
    const database = await freshDatabase();
    const register = (who: string, count: number) => runNode('tests/fixtures/register-many.ts', [who, String(count), NOW], database.env);
    // create the schema first so the writers do not race on migrations
    expect((await register('init', 0)).code).toBe(0);
    const results = await Promise.all(['甲', '乙', '丙', '丁'].map((who) => register(who, 40)));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
    const seqs = await connected(database, (db) => db.all<{ seq: number }>(sql`SELECT seq FROM documents WHERE direction = 'in' AND year = 2026 ORDER BY seq`));
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
  });
});
