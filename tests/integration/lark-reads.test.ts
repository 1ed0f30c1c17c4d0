// Reads (issue 20 part 4): Feishu's im.message.message_read_v1 recorded for the bot's messages; a
// unit's deadline reminder unread a working day later goes to the unit's other contacts, a working
// day after that, still read by nobody, to those responsible for its items; the Monday report and
// the dashboard show the unread by unit. The real webhook server, the real SDK; Feishu's HTTP API
// faked with nock.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runJob, type JobName } from '../../src/jobs/run-job';
import { messageEvent, readEvent } from '../fixtures/lark';
import { fakeMessages, onlyLoopback, postTo, signedAt, startLarkBot, type TakenMessage } from '../fixtures/lark-bot';
import type { TestBot } from '../helpers';

const at = (local: string) => Date.parse(`${local}+08:00`);

let t: TestBot;
let created: TakenMessage[];
let seq = 0;

onlyLoopback();
beforeEach(async () => {
  t = await startLarkBot();
  // a new message numbered after its addressee
  created = fakeMessages((body, n) => `om_to_${body.receive_id}_${n}`);
  await say('单位新增 名称=县应急管理局 简称=应急局');
  await say('授权 lark:ou_li 角色=联络员 单位=应急局 姓名=李明');
  await say('授权 lark:ou_zhao 角色=联络员 单位=应急局 姓名=赵强');
  await say('授权 lark:ou_wang 角色=领导 姓名=王副县长');
  await say('授权 lark:ou_chen 角色=领导 姓名=陈县长');
  await say('督办新建 标题=推进老旧小区改造 批示领导=lark:ou_wang 牵头单位=应急局 时限=2026-11-27');
  // Feishu reports reads: the admin has read an answer of the bot's
  expect((await read('ou_admin', ['om_m1_reply'], at('2026-11-25T09:00'))).status).toBe(200);
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

async function say(text: string, openId = 'ou_admin'): Promise<TakenMessage> {
  const messageId = `om_m${++seq}`;
  expect((await postTo(t, '/webhook/lark/event', signedAt(t, messageEvent({ text, messageId, openId })))).status).toBe(200);
  return vi.waitFor(() => created.find((m) => m.id === `${messageId}_reply`) ?? Promise.reject(new Error(`no reply to ${text}`)), { timeout: 5000 });
}

/** Runs a job as of a local minute, and waits for what it queued to be sent and recorded. */
async function run(job: JobName, local: string): Promise<void> {
  t.clock.set(at(local));
  await runJob(t.bot.services, job, at(local));
  await t.bot.dispatcher.flush();
}

const to = (openId: string, titled: string) => created.filter((m) => m.to === openId && m.title.startsWith(titled));
/** The reminder a contact was sent on a day (the bot's clock at the run). */
const reminderOf = async (openId: string, local: string) =>
  (await t.scalar<string>('SELECT message_id FROM sent_messages WHERE user_id = ? AND unit_id IS NOT NULL AND sent_at = ?', openId, at(local)))!;
const read = (openId: string, messageIds: string[], readAt: number, eventId?: string) =>
  postTo(t, '/webhook/lark/event', signedAt(t, readEvent({ openId, messageIds, readAt, ...(eventId ? { eventId } : {}) })));

describe('a reminder left unread', () => {
  it('goes to the unit’s other contacts a working day later, then, read by nobody, to the item’s 批示领导 — each step once', async () => {
    await run('reminders', '2026-11-26T08:50'); // Thursday: due tomorrow
    expect(to('ou_li', '到期提醒')).toHaveLength(1);
    expect(await t.scalar('SELECT count(*) FROM sent_messages WHERE unit_id IS NOT NULL')).toBe(2);

    await run('reminders', '2026-11-27T08:50'); // Friday: unread for a working day
    const [toLi] = to('ou_li', '提醒未读');
    expect(toLi?.title).toBe('提醒未读：县应急管理局 2 位联络员未读');
    expect(toLi?.content).toContain('2026-11-26 发给县应急管理局联络员的到期提醒，李明、赵强 尚未阅读');
    expect(to('ou_zhao', '提醒未读')).toHaveLength(1);
    expect(to('ou_wang', '提醒无人阅读')).toHaveLength(0);

    // a second run the same day: no working day has passed since step one
    await run('reminders', '2026-11-27T14:50');
    expect(to('ou_wang', '提醒无人阅读')).toHaveLength(0);

    await run('reminders', '2026-11-30T08:50'); // Monday: still read by nobody
    const [toLeader] = to('ou_wang', '提醒无人阅读');
    expect(toLeader?.title).toBe('提醒无人阅读：县应急管理局');
    expect(toLeader?.content).toContain('2026-11-26 发给县应急管理局的到期提醒');
    expect(toLeader?.content).toContain('DB-2026-0001 推进老旧小区改造');
    // the item names its leader: the others are not troubled
    expect(to('ou_chen', '提醒无人阅读')).toHaveLength(0);

    await run('reminders', '2026-12-01T08:50');
    expect(to('ou_wang', '提醒无人阅读').filter((m) => m.content.includes('2026-11-26'))).toHaveLength(1);
    expect(to('ou_li', '提醒未读').filter((m) => m.content.includes('2026-11-26'))).toHaveLength(1);
  });

  it('is not followed up once its recipients read it; a contact who read is told of the one who did not', async () => {
    await run('reminders', '2026-11-26T08:50');
    const li = await reminderOf('ou_li', '2026-11-26T08:50');
    const zhao = await reminderOf('ou_zhao', '2026-11-26T08:50');
    expect((await read('ou_li', [li], at('2026-11-26T09:30'))).status).toBe(200);
    await run('reminders', '2026-11-27T08:50');
    expect(to('ou_li', '提醒未读').map((m) => m.title)).toEqual(['提醒未读：县应急管理局 1 位联络员未读']);
    expect(to('ou_li', '提醒未读')[0]!.content).toContain('赵强 尚未阅读');
    expect(to('ou_zhao', '提醒未读')).toHaveLength(0);

    expect((await read('ou_zhao', [zhao], at('2026-11-27T10:00'))).status).toBe(200);
    await run('reminders', '2026-11-30T08:50');
    expect(to('ou_wang', '提醒无人阅读').filter((m) => m.content.includes('2026-11-26'))).toHaveLength(0);
  });

  it('read by both before the next working day is not followed up at all', async () => {
    await run('reminders', '2026-11-26T08:50');
    for (const openId of ['ou_li', 'ou_zhao']) expect((await read(openId, [await reminderOf(openId, '2026-11-26T08:50')], at('2026-11-26T11:00'))).status).toBe(200);
    await run('reminders', '2026-11-27T08:50');
    await run('reminders', '2026-11-30T08:50');
    expect(created.filter((m) => m.title.startsWith('提醒') && m.content.includes('2026-11-26'))).toHaveLength(0);
  });
});

describe('a read event', () => {
  it('is recorded before the acknowledgement, once however often Feishu pushes it, and only for the reader’s own messages', async () => {
    await run('reminders', '2026-11-26T08:50');
    const li = await reminderOf('ou_li', '2026-11-26T08:50');
    const zhao = await reminderOf('ou_zhao', '2026-11-26T08:50');
    const readAt = at('2026-11-26T09:30');
    // the read of a copy is its recipient's own
    const readAtOf = (id: string) =>
      t.scalar<number | null>('SELECT r.read_at FROM sent_messages s LEFT JOIN message_reads r ON r.platform = s.platform AND r.message_id = s.message_id AND r.user_id = s.user_id WHERE s.message_id = ?', id);

    expect((await read('ou_li', [li, zhao], readAt, 'ev_read_1')).status).toBe(200);
    expect(Number(await readAtOf(li))).toBe(readAt);
    // 赵强's copy is not 李明's to read
    expect(await readAtOf(zhao)).toBeNull();

    expect((await read('ou_li', [li, zhao], readAt, 'ev_read_1')).status).toBe(200);
    expect((await read('ou_li', [li], readAt + 60_000, 'ev_read_2')).status).toBe(200);
    expect(Number(await readAtOf(li))).toBe(readAt);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(await t.scalar("SELECT count(*) FROM inbox WHERE event_id NOT LIKE 'read_%' AND event_id NOT LIKE 'ev_read_%'"));
  });

  it('that is malformed is refused with 400 and records nothing', async () => {
    await run('reminders', '2026-11-26T08:50');
    const bad = readEvent({ openId: 'ou_li', messageIds: [await reminderOf('ou_li', '2026-11-26T08:50')], readAt: 1 });
    (bad.event.reader as { read_time: string }).read_time = 'yesterday';
    expect((await postTo(t, '/webhook/lark/event', signedAt(t, bad))).status).toBe(400);
    expect(await t.scalar("SELECT count(*) FROM message_reads WHERE user_id = 'ou_li'")).toBe(0);
  });

  it('that comes before the message is marked sent is honoured', async () => {
    // Feishu answers the create, the person opens the chat and the event arrives before the
    // dispatcher has marked the row sent: here, the reads of the ids the next two messages will get
    const n = created.filter((m) => m.id.startsWith('om_to_')).length;
    const li = `om_to_ou_li_${n + 1}`;
    const zhao = `om_to_ou_zhao_${n + 2}`;
    expect((await read('ou_li', [li], at('2026-11-26T08:50'))).status).toBe(200);
    expect((await read('ou_zhao', [zhao], at('2026-11-26T08:50'))).status).toBe(200);
    await run('reminders', '2026-11-26T08:50');
    expect([await reminderOf('ou_li', '2026-11-26T08:50'), await reminderOf('ou_zhao', '2026-11-26T08:50')]).toEqual([li, zhao]);
    await run('reminders', '2026-11-27T08:50');
    await run('reminders', '2026-11-30T08:50');
    expect(created.filter((m) => m.title.startsWith('提醒') && m.content.includes('2026-11-26'))).toHaveLength(0);
  });
});

describe('a reminder’s follow-up', () => {
  it('names the items of that reminder and goes to their 批示领导 only; items with no leader go to the admins', async () => {
    await say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=应急局 办理时限=2026-11-27');
    await run('reminders', '2026-11-26T08:50');
    // an item of the unit's that came later, with another leader: not what the reminder was about
    await say('督办新建 标题=排查安全隐患 批示领导=lark:ou_chen 牵头单位=应急局 时限=2026-11-27');
    await run('reminders', '2026-11-27T08:50');
    await run('reminders', '2026-11-30T08:50');
    const ofThursday = (openId: string) => to(openId, '提醒无人阅读').filter((m) => m.content.includes('2026-11-26'));
    expect(ofThursday('ou_wang')).toHaveLength(1);
    expect(ofThursday('ou_wang')[0]!.content).toContain('DB-2026-0001 推进老旧小区改造');
    expect(ofThursday('ou_wang')[0]!.content).not.toContain('SW-2026-0001');
    expect(ofThursday('ou_chen')).toHaveLength(0);
    const [toAdmin] = ofThursday('ou_admin');
    expect(toAdmin?.content).toContain('SW-2026-0001 关于做好防汛工作的通知');
    expect(toAdmin?.content).not.toContain('DB-2026-0001');
  });

  it('is not made once the reminder’s items are closed', async () => {
    await run('reminders', '2026-11-26T08:50');
    t.clock.set(at('2026-11-26T16:00'));
    await say('督办反馈 DB-2026-0001 改造方案已报审', 'ou_li');
    expect((await say('督办办结 DB-2026-0001 结果=改造方案已审议通过')).content).toContain('已办结');
    await run('reminders', '2026-11-27T08:50');
    await run('reminders', '2026-11-30T08:50');
    expect(created.filter((m) => m.title.startsWith('提醒') && m.content.includes('2026-11-26'))).toHaveLength(0);
    expect(await t.scalar('SELECT count(*) FROM sent_messages WHERE unit_id IS NOT NULL AND escalated = 2')).toBe(2);
  });

  it('is not made where no read was ever reported (the event not subscribed), nor are reminders counted unread', async () => {
    await t.rows('DELETE FROM message_reads RETURNING message_id');
    await run('reminders', '2026-11-26T08:50');
    await run('reminders', '2026-11-27T08:50');
    await run('reminders', '2026-11-30T08:50');
    expect(created.filter((m) => m.title.startsWith('提醒'))).toHaveLength(0);
    await run('weekly-report', '2026-11-30T09:10');
    expect(to('ou_wang', '上周统计')[0]?.content).not.toContain('提醒未读');
  });

  it('is only of the daily deadline reminders, not of a feedback reminder', async () => {
    t.clock.set(at('2026-11-18T10:00'));
    await say('督办新建 标题=防汛值守 牵头单位=应急局 时限=2026-12-31 反馈周期=每周');
    await run('feedback', '2026-11-26T09:00');
    expect(to('ou_li', '督办反馈提醒')).toHaveLength(1);
    await run('reminders', '2026-11-27T08:50');
    expect(created.filter((m) => m.title.startsWith('提醒'))).toHaveLength(0);
  });
});

describe('unread reminders by unit', () => {
  beforeEach(async () => {
    await run('reminders', '2026-11-26T08:50');
    await read('ou_li', [await reminderOf('ou_li', '2026-11-26T08:50')], at('2026-11-26T09:30'));
    await run('reminders', '2026-11-27T08:50');
  });

  it('are in the Monday report: last week’s reminders still unread, by unit', async () => {
    await run('weekly-report', '2026-11-30T09:10');
    const [report] = to('ou_wang', '上周统计');
    // 赵强 read neither; 李明 has not read Friday's
    expect(report?.content).toContain('提醒未读：县应急管理局 2 位联络员未读');
  });

  it('are on the console’s dashboard', async () => {
    await read('ou_li', [await reminderOf('ou_li', '2026-11-27T08:50')], at('2026-11-27T09:30'));
    const link = await say('管理后台');
    const token = /token=([^\s"\\]+)/.exec(link.content)![1]!;
    const base = `http://127.0.0.1:${t.bot.port()}`;
    const login = await fetch(`${base}/console/login?token=${token}`, { redirect: 'manual' });
    const cookie = login.headers.getSetCookie().find((h) => h.startsWith('zw_console='))!.split(';')[0]!;
    const page = await (await fetch(`${base}/console/`, { headers: { cookie } })).text();
    expect(page).toContain('提醒未读（近 7 天）');
    expect(page).toContain('<strong>县应急管理局</strong> 1 位联络员未读');
  });
});
