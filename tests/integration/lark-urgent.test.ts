// Urgent alerts (加急, issue 20 part 3): a 特急 document handed to a unit and a 督办 item overdue by
// ESCALATE_AFTER_WORKDAYS working days are pressed on the responsible people with Feishu's urgent
// calls on the message the bot sent them, once per item and level. The real webhook server, the
// real SDK; Feishu's HTTP API faked with nock.
import nock from 'nock';
import { afterEach, describe, expect, it, onTestFailed, onTestFinished, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { runJob } from '../../src/jobs/run-job';
import { messageEvent } from '../fixtures/lark';
import { ENV, fakeMessages, LARK, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import { tempDir, type TestBot } from '../helpers';
import { testDatabase } from '../test-db';

const at = (local: string) => Date.parse(`${local}+08:00`);

interface Urgent {
  level: string;
  messageId: string;
  idType: string;
  users: string[];
}

/** Feishu's message API, and its urgent calls, answered from `urgentAnswers` while it holds any and accepted after that. */
function fakeFeishu() {
  // Feishu keeps one message per uuid: a retried send gets the message it made before
  const created = fakeMessages((body) => `om_u${body.uuid.slice(0, 12)}`);
  const urgent: Urgent[] = [];
  const urgentAnswers: [number, object][] = [];
  nock(LARK)
    .persist()
    .patch(/^\/open-apis\/im\/v1\/messages\/om_\w+\/urgent_(app|sms|phone)/)
    .query(true)
    .reply((uri, b) => {
      const url = new URL(uri, LARK);
      const [, , , , , messageId, call] = url.pathname.split('/');
      urgent.push({ level: call!.replace('urgent_', ''), messageId: messageId!, idType: url.searchParams.get('user_id_type') ?? '', users: (b as { user_id_list: string[] }).user_id_list });
      return urgentAnswers.shift() ?? [200, { code: 0, msg: 'success', data: { invalid_user_id_list: [] } }];
    });
  return { created, urgent, urgentAnswers };
}

let t: TestBot;
let feishu: ReturnType<typeof fakeFeishu>;
let running = false;
// a failure seen once in CI and never here: where the job's messages stood says where one stopped
let outboxAfterRun: unknown[] = [];
let seq = 0;
const cleanups: (() => unknown)[] = [];

onlyLoopback();
afterEach(async () => {
  // a test that started no bot (the configuration's) leaves none to close
  if (running) await t.close();
  running = false;
  for (const c of cleanups.splice(0).reverse()) await c();
  nock.cleanAll();
});

async function start(env: Record<string, string> = {}, dir?: string): Promise<void> {
  t = await startLarkBot({ ...ENV, ...env }, dir);
  running = true;
  feishu = fakeFeishu();
  outboxAfterRun = [];
  onTestFailed(() => console.error('the outbox after the last job run:', JSON.stringify(outboxAfterRun, null, 1), 'urgent calls:', JSON.stringify(feishu.urgent)));
}

/** Sends a command as someone in their private chat with the bot; resolves once it is answered. Returns the event, for a redelivery. */
async function say(text: string, openId = 'ou_admin') {
  const event = messageEvent({ text, messageId: `om_m${++seq}`, openId });
  expect((await postTo(t, '/webhook/lark/event', signedAt(t, event))).status).toBe(200);
  await vi.waitFor(() => expect(feishu.created.some((m) => m.id === `om_m${seq}_reply`)).toBe(true), { timeout: 5000 });
  return event;
}

/** Everything handled and sent that can be: what was not sent by now will not be. */
async function settled(): Promise<void> {
  await t.bot.worker.drain();
  await t.bot.dispatcher.flush();
}

const toLi = (titled: string) => feishu.created.filter((m) => m.to === 'ou_li' && m.title.startsWith(titled));

/** The unit 应急局 with 李明 (ou_li) as its contact, and a 特急 收文 registered, not yet handed on. */
async function urgentDocument(urgency = '特急'): Promise<void> {
  await say('单位新增 名称=县应急管理局 简称=应急局 联络员=lark:ou_li');
  await say(`收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 紧急程度=${urgency}`);
}

/** Makes the outbox row of the assignment notice due again, as after a lost answer or a crash before it was marked sent. */
async function retryAssignmentNotice(): Promise<void> {
  await t.rows("UPDATE outbox SET status = 'pending', next_attempt_at = 0, lease_until = NULL, lease_owner = NULL WHERE dedupe_key LIKE 'doc-assign:%' RETURNING id");
  t.bot.dispatcher.kick();
  await vi.waitFor(async () => expect(await t.scalar("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'doc-assign:%' AND status = 'pending'")).toBe(0), { timeout: 5000 });
}

describe('a 特急 document handed to a unit', () => {
  it('sends the contact the notice, then urgent_app once on that message for their open_id; a redelivery, a retried row and a restart do not alert again', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const database = await testDatabase(dir);
    onTestFinished(() => database.drop());
    await start(database.env, dir);
    await urgentDocument();
    const assign = await say('公文分办 SW-2026-0001 承办单位=应急局');
    await vi.waitFor(() => expect(feishu.urgent).toHaveLength(1), { timeout: 5000 });
    const [notice] = toLi('');
    expect(notice).toBeDefined();
    expect(feishu.urgent[0]).toEqual({ level: 'app', messageId: notice!.id, idType: 'open_id', users: ['ou_li'] });

    // Feishu pushes the command again: the inbox knows it
    expect((await postTo(t, '/webhook/lark/event', signedAt(t, assign))).status).toBe(200);
    await settled();
    expect(toLi('')).toHaveLength(1);

    // the row is sent again (same uuid, same message): no second alert
    await retryAssignmentNotice();
    expect(toLi('').length).toBe(2);
    expect(feishu.created.filter((m) => m.to === 'ou_li').every((m) => m.id === notice!.id)).toBe(true);

    // a new process on the same database, sending the row once more
    await t.close();
    t = await startLarkBot({ ...ENV, ...database.env }, dir);
    await retryAssignmentNotice();
    expect(toLi('').length).toBe(3);
    expect(feishu.urgent).toHaveLength(1);
  });

  it('alerts the same way when the 收文 is registered with its 承办单位, and not at all for a 平件', async () => {
    await start();
    await say('单位新增 名称=县应急管理局 简称=应急局 联络员=lark:ou_li');
    await say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 紧急程度=特急 承办单位=应急局');
    await vi.waitFor(() => expect(feishu.urgent.map((u) => u.users)).toEqual([['ou_li']]), { timeout: 5000 });
    await say('收文登记 标题=关于开展安全生产大检查的通知 来文单位=市安委会 承办单位=应急局');
    await vi.waitFor(() => expect(toLi('')).toHaveLength(2), { timeout: 5000 });
    await settled();
    expect(feishu.urgent).toHaveLength(1);
  });

  it('adds urgent_sms with LARK_URGENT=app,sms', async () => {
    await start({ LARK_URGENT: 'app,sms' });
    await urgentDocument();
    await say('公文分办 SW-2026-0001 承办单位=应急局');
    await vi.waitFor(() => expect(feishu.urgent.map((u) => u.level)).toEqual(['app', 'sms']), { timeout: 5000 });
    expect(new Set(feishu.urgent.map((u) => u.messageId)).size).toBe(1);
  });

  it.each([
    [230023, 'the person has 200 unread urgent messages', ['app']],
    [230024, 'the tenant’s urgent quota is spent', ['app', 'sms']],
  ])('takes %i (%s) as the end of it: the plain message stays delivered, nothing is retried', async (code, _what, calls) => {
    await start({ LARK_URGENT: 'app,sms' });
    await urgentDocument();
    feishu.urgentAnswers.push([400, { code, msg: 'urgent limit' }]);
    if (code === 230024) feishu.urgentAnswers.unshift([200, { code: 0, msg: 'success', data: { invalid_user_id_list: [] } }]);
    await say('公文分办 SW-2026-0001 承办单位=应急局');
    await vi.waitFor(() => expect(feishu.urgent.map((u) => u.level)).toEqual(calls), { timeout: 5000 });
    await settled();
    expect(await t.scalar("SELECT status FROM outbox WHERE dedupe_key LIKE 'doc-assign:%'")).toBe('sent');
    expect(await t.scalar("SELECT count(*) FROM sent_messages WHERE user_id = 'ou_li'")).toBe(1);
    await retryAssignmentNotice();
    expect(feishu.urgent.map((u) => u.level)).toEqual(calls);
  });
});

describe('a 督办 item overdue by ESCALATE_AFTER_WORKDAYS working days', () => {
  const run = async (local: string) => {
    t.clock.set(at(local));
    await runJob(t.bot.services, 'reminders', at(local));
    await t.bot.dispatcher.flush();
    outboxAfterRun = await t.rows('SELECT id, dedupe_key, conversation, status, attempts, next_attempt_at, last_error FROM outbox ORDER BY id');
  };

  it('is pressed on the lead unit’s contacts on the third working day overdue, once: not the day before, nor the next day, nor after a restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const database = await testDatabase(dir);
    onTestFinished(() => database.drop());
    await start(database.env, dir);
    await say('单位新增 名称=县应急管理局 简称=应急局 联络员=lark:ou_li');
    await say('授权 lark:ou_wang 角色=领导 姓名=王副县长');
    await say('督办新建 标题=推进老旧小区改造 批示领导=lark:ou_wang 牵头单位=应急局 时限=2026-11-25');
    await settled();

    await run('2026-11-27T08:50'); // Friday: 2 working days overdue
    expect(toLi('逾期督促').length + toLi('到期提醒').length).toBe(1);
    expect(feishu.urgent).toHaveLength(0);

    await run('2026-11-30T08:50'); // Monday: the third
    expect(feishu.urgent).toHaveLength(1);
    const monday = toLi('').at(-1)!;
    expect(feishu.urgent[0]).toEqual({ level: 'app', messageId: monday.id, idType: 'open_id', users: ['ou_li'] });
    // the leader hears of it, plainly
    expect(feishu.created.some((m) => m.to === 'ou_wang' && m.title.startsWith('逾期督促'))).toBe(true);
    expect(feishu.urgent.some((u) => u.users.includes('ou_wang'))).toBe(false);

    await run('2026-12-01T08:50');
    expect(toLi('').at(-1)!.id).not.toBe(monday.id); // reminded again, plainly
    expect(feishu.urgent).toHaveLength(1);

    await t.close();
    t = await startLarkBot({ ...ENV, ...database.env }, dir);
    await run('2026-12-02T08:50');
    expect(feishu.urgent).toHaveLength(1);
  });

  it('is pressed again when, its deadline extended, it is overdue as long again', async () => {
    await start();
    await say('单位新增 名称=县应急管理局 简称=应急局 联络员=lark:ou_li');
    await say('授权 lark:ou_wang 角色=领导 姓名=王副县长');
    await say('督办新建 标题=推进老旧小区改造 批示领导=lark:ou_wang 牵头单位=应急局 时限=2026-11-25');
    await run('2026-11-30T08:50');
    expect(feishu.urgent).toHaveLength(1);
    await say('督办延期 DB-2026-0001 新时限=2026-12-01 理由=需要协调资金', 'ou_li');
    await say('督办批准 DB-2026-0001', 'ou_wang');
    await run('2026-12-03T08:50'); // 2 working days past the new deadline
    expect(feishu.urgent).toHaveLength(1);
    await run('2026-12-04T08:50'); // the third
    expect(feishu.urgent).toHaveLength(2);
    expect(feishu.urgent[1]).toEqual({ level: 'app', messageId: toLi('').at(-1)!.id, idType: 'open_id', users: ['ou_li'] });
    expect(await t.column('SELECT key FROM urgent_alerts ORDER BY at')).toEqual(['supervision:DB-2026-0001:overdue-3:2026-11-25', 'supervision:DB-2026-0001:overdue-3:2026-12-01']);
  });

  it('waits as many working days as ESCALATE_AFTER_WORKDAYS says', async () => {
    await start({ ESCALATE_AFTER_WORKDAYS: '1' });
    await say('单位新增 名称=县应急管理局 简称=应急局 联络员=lark:ou_li');
    await say('督办新建 标题=推进老旧小区改造 牵头单位=应急局 时限=2026-11-25');
    await run('2026-11-26T08:50');
    expect(feishu.urgent.map((u) => u.users)).toEqual([['ou_li']]);
  });
});

describe('LARK_URGENT', () => {
  const lark = { LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_ENCRYPT_KEY: 'k' };
  it('is the in-app alert unless it says more, and refuses anything but app with sms or phone', () => {
    expect(loadConfig(lark).lark!.urgent).toEqual(['app']);
    expect(loadConfig({ ...lark, LARK_URGENT: 'app, sms, phone' }).lark!.urgent).toEqual(['app', 'sms', 'phone']);
    for (const bad of ['sms', 'app,fax', 'app,app', 'app,短信']) expect(() => loadConfig({ ...lark, LARK_URGENT: bad })).toThrow(/LARK_URGENT: expected app, app,sms or app,sms,phone .*quota.*\(got /);
    expect(() => loadConfig({ ESCALATE_AFTER_WORKDAYS: '0' })).toThrow(/ESCALATE_AFTER_WORKDAYS: expected a whole number from 1 to 30/);
  });
});
