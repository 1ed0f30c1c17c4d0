// Reads (issue 20 part 4): Feishu's im.message.message_read_v1 recorded for the bot's one-to-one
// reminders; a reminder unread a working day later goes to the unit's other contacts, a working day
// after that, still read by nobody, to the leader; the Monday report and the dashboard show the
// unread by unit. The real webhook server, the real SDK; Feishu's HTTP API faked with nock.
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
    expect(await t.scalar('SELECT count(*) FROM sent_messages WHERE unit_id IS NOT NULL AND read_at IS NULL')).toBe(2);

    await run('reminders', '2026-11-27T08:50'); // Friday: unread for a working day
    const [toLi] = to('ou_li', '提醒未读');
    expect(toLi?.title).toBe('提醒未读：县应急管理局 2 位联络员未读');
    expect(toLi?.content).toContain('2026-11-26 发给县应急管理局联络员的到期提醒，李明、赵强 尚未阅读');
    expect(to('ou_zhao', '提醒未读')).toHaveLength(1);
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
    const readAtOf = (id: string) => t.scalar<number | null>('SELECT read_at FROM sent_messages WHERE message_id = ?', id);

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
    expect(await t.scalar('SELECT count(*) FROM sent_messages WHERE read_at IS NOT NULL')).toBe(0);
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
