// Scheduled jobs on the statutory calendar, each exactly once, driven with an injected clock.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../../db/client';
import { runJob } from '../../src/jobs/run-job';
import { renderPlain } from '../../src/platforms/console/render';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { runNode } from '../spawn';
import { testDatabase, type TestDatabase } from '../test-db';

let t: TestBot;
const at = (local: string) => Date.parse(`${local}+08:00`);
const run = async (job: 'reminders' | 'feedback' | 'weekly-report', local: string) => (await runJob(t.bot.services, job, at(local))).summary;
const outboxCount = () => t.scalar<number>("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'job:%'");
async function delivered(identity: string): Promise<string[]> {
  await t.bot.dispatcher.flush();
  return t.deliveredTo(identity);
}

beforeEach(async () => {
  t = await makeBot({ now: '2026-09-01T09:00:00+08:00' });
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局 联络员=@console:wang');
  await t.say('授权 console:leader 角色=领导');
});
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await t.close();
  cleanups.splice(0).forEach((c) => c());
});

/**
 * A database that outlives the bots made on it, for a restart, dropped when the test is done:
 * makeBot gives each bot a database of its own (on PostgreSQL a new one, which this one then
 * stands in for through `env`; on SQLite the folder's file, the same either way).
 */
async function lasting(dir: string): Promise<TestDatabase> {
  const database = await testDatabase(dir);
  onTestFinished(() => database.drop());
  return database;
}

const doc = (title: string, due: string, unit = '应急局') => t.say(`收文登记 标题=${title} 来文单位=市政府办公室 收文日期=2026-09-01 办理时限=${due} 承办单位=${unit}`);

describe('working days', () => {
  beforeEach(async () => {
    await doc('关于国庆期间安全防范的通知', '2026-10-09');
  });

  it.each(['2026-09-26T08:50', '2026-11-28T08:50', '2026-10-01T08:50', '2026-10-04T08:50', '2026-10-07T08:50'])('sends nothing on %s, a weekend or holiday', async (slot) => {
    expect((await run('reminders', slot)).outcome).toBe('not-a-workday');
    expect((await run('feedback', slot)).outcome).toBe('not-a-workday');
    expect(await outboxCount()).toBe(0);
  });

  it('reminds on the make-up workdays 2026-09-20 (a Sunday) and 2026-10-10 (a Saturday)', async () => {
    await doc('关于秋季森林防火的通知', '2026-09-22');
    expect(await run('reminders', '2026-09-20T08:50')).toMatchObject({ outcome: 'done', recipients: 1, messages: 1 });
    // by then the first is long overdue, so the leaders hear of it too
    expect(await run('reminders', '2026-10-10T08:50')).toMatchObject({ outcome: 'done', recipients: 2, messages: 2 });
    const told = await delivered('console:li');
    expect(told.at(-2)).toContain('关于秋季森林防火的通知');
    expect(told.at(-1)).toContain('关于国庆期间安全防范的通知（公文，时限 2026-10-09）');
  });

  it('counts "due within 3 working days" across the National Day holiday', async () => {
    await doc('三个工作日后到期', '2026-10-10'); // 10-08, 10-09, 10-10 (make-up Saturday)
    await doc('五个工作日后到期', '2026-10-13');
    await run('reminders', '2026-09-30T08:50');
    const [digest] = (await delivered('console:li')).slice(-1);
    expect(digest).toContain('【还剩 2 个工作日】SW-2026-0001 关于国庆期间安全防范的通知');
    expect(digest).toContain('【还剩 3 个工作日】SW-2026-0002 三个工作日后到期');
    expect(digest).not.toContain('五个工作日后到期');
  });
});

describe('reminders', () => {
  it('sends one message per recipient listing all their items, most urgent first', async () => {
    await doc('下周到期', '2026-09-08');
    await doc('今天到期', '2026-09-03');
    await doc('已逾期', '2026-09-01');
    await doc('住建局的', '2026-09-03', '住建局');
    await t.say('建议登记 编号=5 标题=关于改善农村饮水的建议 代表=张三 主办单位=应急局 交办日期=2026-06-02 答复期限=2026-09-02');
    t.clock.set(at('2026-09-03T08:50'));
    const s = await run('reminders', '2026-09-03T08:50');
    expect(s).toMatchObject({ recipients: 2, messages: 2, items: 5 });
    const [digest, ...more] = (await delivered('console:li')).slice(-1);
    expect(more).toEqual([]);
    expect(digest).toContain('到期提醒：4 件');
    const order = ['已逾期', '关于改善农村饮水的建议', '今天到期', '下周到期'].map((x) => digest!.indexOf(x));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(digest).toContain('【逾期 2 天】SW-2026-0003 已逾期');
    expect(digest).toContain('[办结 SW-2026-0003] 发送：公文办结 SW-2026-0003');
    expect((await delivered('console:wang')).at(-1)).toContain('住建局的');
  });

  it('sends a 收文 nobody has been handed, and a unit without a contact’s items, to the registrars, and escalates them too', async () => {
    await t.say('授权 console:zhang 角色=员工');
    await t.say('收文登记 标题=尚未分办的来文 来文单位=市政府 办理时限=2026-09-03');
    await t.say('单位新增 名称=县财政局 简称=财政局');
    await doc('没有联络员的单位的', '2026-09-03', '财政局');
    const s = await run('reminders', '2026-09-03T08:50');
    expect(s.items).toBe(2);
    const [digest] = await delivered('console:zhang');
    expect(digest).toContain('到期提醒：2 件');
    expect(digest).toContain('【今天到期】SW-2026-0001 尚未分办的来文（公文，待分办，时限 2026-09-03）');
    expect(digest).toContain('[分办 SW-2026-0001] 发送：公文分办 SW-2026-0001 承办单位=');
    expect(digest).toContain('没有联络员的单位的');
    // overdue by 3 working days: every leader hears of it, as of any other item without an instructing leader
    await run('reminders', '2026-09-08T08:50');
    const escalated = (await delivered('console:leader')).at(-1)!;
    expect(escalated).toContain('SW-2026-0001 尚未分办的来文');
    // a leader may not hand it on, but may look at it: 查看 where the registrars see 分办
    expect(escalated).toContain('[查看 SW-2026-0001] 发送：公文查询 SW-2026-0001');
    expect(escalated).not.toContain('公文分办');
  });

  it('escalates to the instructing leader at exactly 3 working days overdue', async () => {
    await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:leader 牵头单位=住建局 时限=2026-09-04'); // a Friday
    await run('reminders', '2026-09-08T08:50'); // Tuesday: 2 working days overdue
    expect(await delivered('console:leader')).toHaveLength(0);
    await run('reminders', '2026-09-09T08:50'); // Wednesday: 3 working days overdue
    const [escalation] = await delivered('console:leader');
    expect(escalation).toContain('逾期督促：1 件已逾期 3 个工作日以上');
    expect(escalation).toContain('DB-2026-0001 推进老旧小区改造');
  });

  it('runs once per slot, and tells nobody the same thing twice in a day', async () => {
    await doc('今天到期', '2026-09-03');
    expect((await run('reminders', '2026-09-03T08:50')).messages).toBe(1);
    const rows = await outboxCount();
    expect((await run('reminders', '2026-09-03T08:50')).outcome).toBe('already-ran');
    expect(await run('reminders', '2026-09-03T14:50')).toMatchObject({ outcome: 'done', messages: 0 });
    expect(await outboxCount()).toBe(rows);
    expect((await run('reminders', '2026-09-04T08:50')).messages).toBe(1); // a new day: overdue now
  });

  it('summarises for chats subscribed to 提醒', async () => {
    await t.say('本群订阅 提醒', 'console:admin', { id: 'oc_office', type: 'group' });
    await doc('今天到期', '2026-09-03');
    await doc('已逾期', '2026-09-01');
    expect((await run('reminders', '2026-09-03T08:50')).chats).toBe(1);
    await t.bot.dispatcher.flush();
    const summary = t.sent.find((m) => m.target.kind === 'chat');
    expect(renderPlain(summary!.reply)).toContain('已逾期：1 件');
    expect(renderPlain(summary!.reply)).toContain('今天到期：1 件');
  });

  it('delivers once what a run queued before a crash, after the restart', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { env } = await lasting(dir);
      const first = await makeBot({ dir, env, now: '2026-09-01T09:00:00+08:00', senders: {} });
      await first.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
      await first.say('收文登记 标题=今天到期 来文单位=市政府办公室 办理时限=2026-09-03 承办单位=应急局');
      await runJob(first.bot.services, 'reminders', at('2026-09-03T08:50'));
      await first.close(); // queued, never delivered

      const second = await makeBot({ dir, env, now: '2026-09-03T09:00:00+08:00' });
      expect((await runJob(second.bot.services, 'reminders', at('2026-09-03T08:50'))).summary.outcome).toBe('already-ran');
      await second.bot.dispatcher.flush();
      expect(second.deliveredTo('console:li').filter((m) => m.includes('到期提醒'))).toHaveLength(1);
      await second.close();
    } finally {
      cleanup();
    }
  });
});

describe('feedback job', () => {
  it('reminds the lead unit of weekly feedback due, moved off the holiday', async () => {
    t.clock.set(at('2026-09-24T10:00'));
    await t.say('督办新建 标题=国庆安全生产检查 牵头单位=应急局 配合单位=住建局 时限=2026-12-31 反馈周期=每周');
    expect((await run('feedback', '2026-09-30T08:50')).messages).toBe(0); // first due 10-01, a holiday → 10-08
    expect((await run('feedback', '2026-10-08T08:50')).messages).toBe(1);
    const [told] = (await delivered('console:li')).filter((m) => m.includes('督办反馈提醒'));
    expect(told).toContain('【今天应反馈】DB-2026-0001 国庆安全生产检查');
    expect((await delivered('console:wang')).filter((m) => m.includes('督办反馈提醒'))).toHaveLength(0);
    t.clock.set(at('2026-10-12T10:00'));
    expect((await run('feedback', '2026-10-12T08:50')).messages).toBe(1);
    expect((await delivered('console:li')).at(-1)).toContain('反馈已超期 4 天');
    await t.say('督办反馈 DB-2026-0001 已完成节后复工检查', 'console:li');
    expect((await run('feedback', '2026-10-13T08:50')).messages).toBe(0);
  });
});

describe('weekly report', () => {
  it('sends last week’s figures to every leader and every chat subscribed to 周报', async () => {
    await t.say('本群订阅 周报', 'console:admin', { id: 'oc_leaders', type: 'group' });
    await doc('上周收到的', '2026-09-10');
    const s = await run('weekly-report', '2026-09-07T09:10'); // Monday: the week of 08-31..09-06
    expect(s).toMatchObject({ outcome: 'done', recipients: 1, chats: 1, messages: 2 });
    const [report] = await delivered('console:leader');
    expect(report).toContain('上周统计（2026-08-31 至 2026-09-06）');
    expect(report).toContain('收文：1 件（+1）');
  });
});

describe('the scheduler', () => {
  it('runs a slot of today missed while the bot was down once at start-up', async () => {
    await doc('今天到期', '2026-09-01');
    await t.bot.scheduler.catchUp(); // 09:00: the 08:50 reminders were missed
    await t.bot.scheduler.catchUp();
    const runs = await t.rows('SELECT job, slot FROM job_runs ORDER BY job');
    expect(runs).toEqual([
      { job: 'feedback', slot: '2026-09-01T08:50' },
      { job: 'reminders', slot: '2026-09-01T08:50' },
    ]);
    expect((await delivered('console:li')).filter((m) => m.includes('到期提醒'))).toHaveLength(1);
  });
});

describe('npm run job', () => {
  it('prints the messages on --dry-run and changes nothing; runs for real otherwise', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const database = await lasting(dir);
    const setup = await makeBot({ dir, env: database.env, now: '2026-09-01T09:00:00+08:00' });
    await setup.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
    await setup.say('收文登记 标题=今天到期 来文单位=市政府办公室 办理时限=2026-09-03 承办单位=应急局');
    await setup.close();
    const job = (...args: string[]) => runNode('src/jobs/job-cli.ts', args, database.env);
    const dry = await job('reminders', '--now', '2026-09-03T08:50:00+08:00', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('到期提醒：1 件');
    expect(dry.stdout).toContain('（演练，未发送）收件人 1 位');
    const db = await openDatabase(database.location);
    try {
      expect(await db.all(sql`SELECT count(*) AS n FROM job_runs`)).toEqual([{ n: 0 }]);
      expect(await db.all(sql`SELECT count(*) AS n FROM outbox WHERE dedupe_key LIKE 'job:%'`)).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
    const real = await job('reminders', '--now', '2026-09-03T08:50:00+08:00');
    expect(real.stdout).toContain('（发给 li）');
    expect(real.stdout).toContain('reminders 2026-09-03T08:50：收件人 1 位，群 0 个，消息 1 条，涉及事项 1 件。');
    const [again, unknown, badNow] = await Promise.all([job('reminders', '--now', '2026-09-03T08:50:00+08:00'), job('holidays'), job('reminders', '--now', 'yesterday')]);
    expect(again.stdout).toContain('这一时段已经运行过');
    expect(unknown.code).toBe(2);
    expect(badNow).toMatchObject({ code: 2, stderr: expect.stringContaining('--now expects an ISO-8601 instant') });
  });
});
