// DingTalk work notices (DINGTALK_WORK_NOTICE=1): what the bot starts to people goes as 工作通知
// (asyncsend_v2), and who has read a followed-up reminder is asked of DingTalk (getsendresult),
// feeding the same unread follow-ups as Feishu's read events. The real bot and server; DingTalk's
// APIs faked with nock.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job';
import { makeBot, type TestBot } from '../helpers';

const API = 'https://api.dingtalk.com';
const OAPI = 'https://oapi.dingtalk.com';
const AGENT = 3291043702;
const ENV = {
  DINGTALK_APP_KEY: 'dingkey',
  DINGTALK_APP_SECRET: 'dingtalk-app-secret-value',
  DINGTALK_ROBOT_CODE: 'dingrobot',
  DINGTALK_WORK_NOTICE: '1',
  DINGTALK_AGENT_ID: String(AGENT),
  ADMIN_IDS: 'dingtalk:manager1',
  OUTBOX_RETRY_BASE_MS: '1000',
};
const at = (local: string) => Date.parse(`${local}+08:00`);
const ADMIN = 'dingtalk:manager1';

interface Notice {
  taskId: string;
  userIds: string[];
  msg: { msgtype: string; markdown?: { title: string; text: string }; text?: { content: string } };
}

/** DingTalk's APIs: work notices numbered from task 501, their read lists as `readers` says, and what was asked. */
function fakeDingtalk() {
  const notices: Notice[] = [];
  const noticeAnswers: object[] = [];
  const readers = new Map<string, string[]>();
  const asked: string[] = [];
  const resultAnswers: object[] = [];
  const tokens = { asked: 0 };
  nock(API)
    .persist()
    .post('/v1.0/oauth2/accessToken')
    .reply(200, () => (tokens.asked++, { accessToken: 'ding-access-token', expireIn: 7200 }));
  // replies to the admin go through the robot; names are DingTalk's directory's
  nock(API).persist().post('/v1.0/robot/oToMessages/batchSend').reply(200, { processQueryKey: 'q' });
  nock(OAPI).persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
  nock(OAPI)
    .persist()
    .post('/topapi/message/corpconversation/asyncsend_v2', (b) => b.agent_id === AGENT)
    .query({ access_token: 'ding-access-token' })
    .reply(200, (_uri, b) => {
      const answer = noticeAnswers.shift();
      if (answer) return answer;
      const body = b as { userid_list: string; msg: Notice['msg'] };
      const taskId = String(501 + notices.length);
      notices.push({ taskId, userIds: body.userid_list.split(','), msg: body.msg });
      return { errcode: 0, errmsg: 'ok', task_id: Number(taskId), request_id: 'r' };
    });
  nock(OAPI)
    .persist()
    .post('/topapi/message/corpconversation/getsendresult', (b) => b.agent_id === AGENT)
    .query({ access_token: 'ding-access-token' })
    .reply(200, (_uri, b) => {
      const taskId = String((b as { task_id: number }).task_id);
      asked.push(taskId);
      const answer = resultAnswers.shift();
      if (answer) return answer;
      const task = notices.find((n) => n.taskId === taskId)!;
      const read = readers.get(taskId) ?? [];
      return { errcode: 0, errmsg: 'ok', send_result: { read_user_id_list: read, unread_user_id_list: task.userIds.filter((u) => !read.includes(u)), invalid_user_id_list: [], forbidden_user_id_list: [], failed_user_id_list: [] } };
    });
  return { notices, noticeAnswers, readers, asked, resultAnswers, tokens };
}

let t: TestBot;
let dingtalk: ReturnType<typeof fakeDingtalk>;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  dingtalk = fakeDingtalk();
  // a Wednesday; the item falls due on Friday
  t = await makeBot({ env: ENV, now: '2026-11-25T09:00:00+08:00' });
  await t.bot.start();
  await t.say('单位新增 名称=县应急管理局 简称=应急局', ADMIN);
  await t.say('授权 dingtalk:staff_li 角色=联络员 单位=应急局 姓名=李明', ADMIN);
  await t.say('授权 dingtalk:staff_zhao 角色=联络员 单位=应急局 姓名=赵强', ADMIN);
  await t.say('授权 dingtalk:staff_wang 角色=领导 姓名=王副县长', ADMIN);
  await t.say('督办新建 标题=推进老旧小区改造 批示领导=dingtalk:staff_wang 牵头单位=应急局 时限=2026-11-27', ADMIN);
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

async function run(local: string): Promise<void> {
  t.clock.set(at(local));
  await runJob(t.bot.services, 'reminders', at(local));
  await t.bot.dispatcher.flush();
}

/** Asks DingTalk about the reads due by the bot's clock at `local`. */
async function pollAt(local: string): Promise<void> {
  t.clock.set(at(local));
  await t.bot.noticeReads!();
}

const noticesTo = (userId: string, titled: string) => dingtalk.notices.filter((n) => n.userIds.includes(userId) && (n.msg.markdown?.title ?? n.msg.text?.content ?? '').startsWith(titled));
const reminder = () => noticesTo('staff_li', '到期提醒').at(-1)!;

describe('a reminder as a work notice', () => {
  it('goes to the unit’s contacts under the AgentId, its commands to send the robot; each copy is known by its task', async () => {
    await run('2026-11-26T08:50');
    const notice = reminder();
    expect(notice.userIds.sort()).toEqual(['staff_li', 'staff_zhao']);
    expect(notice.msg.msgtype).toBe('markdown');
    const text = notice.msg.markdown!.text;
    expect(text).toContain('DB\\-2026\\-0001');
    // nobody can write in the work notices: a link that sends would go nowhere
    expect(text).not.toContain('dtmd:');
    expect(text).toContain('可在与政务助手机器人的单聊中发送');
    expect(await t.column('SELECT message_id FROM sent_messages WHERE unit_id IS NOT NULL ORDER BY message_id')).toEqual([`notice:${notice.taskId}:staff_li`, `notice:${notice.taskId}:staff_zhao`]);
    // the robot's own chat still answers commands
    expect(dingtalk.notices.some((n) => n.userIds.includes('manager1'))).toBe(false);
  });

  it('is asked about half an hour after it went, at its later checks, and not once DingTalk has forgotten it', async () => {
    await run('2026-11-26T08:50');
    const { taskId } = reminder();
    await pollAt('2026-11-26T09:10');
    expect(dingtalk.asked).toEqual([]);
    await pollAt('2026-11-26T09:21');
    expect(dingtalk.asked).toEqual([taskId]);
    await pollAt('2026-11-26T09:40'); // no check fell due since
    expect(dingtalk.asked).toEqual([taskId]);
    await pollAt('2026-11-26T11:00');
    await pollAt('2026-11-26T15:00');
    await pollAt('2026-11-27T08:25');
    expect(dingtalk.asked).toEqual([taskId, taskId, taskId, taskId]);
    await pollAt('2026-11-27T09:00');
    expect(dingtalk.asked).toHaveLength(4);
  });

  it('read by one contact is followed up the next working day by telling that one of the other only', async () => {
    await run('2026-11-26T08:50');
    dingtalk.readers.set(reminder().taskId, ['staff_li']);
    await pollAt('2026-11-26T09:25');
    expect(await t.rows('SELECT user_id, message_id FROM message_reads')).toEqual([{ user_id: 'staff_li', message_id: `notice:${reminder().taskId}:staff_li` }]);
    await run('2026-11-27T08:50');
    const followUps = dingtalk.notices.filter((n) => n.msg.markdown?.title.startsWith('提醒未读'));
    expect(followUps.map((n) => [n.userIds, n.msg.markdown!.title])).toEqual([[['staff_li'], '提醒未读：县应急管理局 1 位联络员未读']]);
    expect(followUps[0]!.msg.markdown!.text).toContain('赵强 尚未阅读');
  });

  it('read by nobody goes to both contacts, then to the item’s 批示领导; read by both, to nobody', async () => {
    // DingTalk has reported a read before, of an item due tomorrow (as on Feishu, nothing is
    // followed up until a platform has reported one)
    await t.say('督办新建 标题=清理积存文件 牵头单位=应急局 时限=2026-11-26', ADMIN);
    await run('2026-11-25T09:05');
    dingtalk.readers.set(reminder().taskId, ['staff_li', 'staff_zhao']);
    await pollAt('2026-11-25T09:40');

    await run('2026-11-26T08:50');
    await pollAt('2026-11-26T09:25');
    await run('2026-11-27T08:50');
    const of26th = (n: Notice) => n.msg.markdown!.text.includes('2026\\-11\\-26');
    expect(noticesTo('staff_li', '提醒未读').filter(of26th).map((n) => n.msg.markdown!.title)).toEqual(['提醒未读：县应急管理局 2 位联络员未读']);
    expect(noticesTo('staff_zhao', '提醒未读').filter(of26th)).toHaveLength(1);
    await run('2026-11-30T08:50');
    const toLeader = noticesTo('staff_wang', '提醒无人阅读').filter(of26th);
    expect(toLeader.map((n) => n.msg.markdown!.title)).toEqual(['提醒无人阅读：县应急管理局']);
    // DingTalk forgot the task days ago: what is known is said, not more
    expect(toLeader[0]!.msg.markdown!.text).toContain('联络员（李明、赵强）发出后一天内无人阅读（此后是否阅读无从得知）');
    // Friday's reminder, followed up on Monday, the same
    const fridays = noticesTo('staff_li', '提醒未读').find((n) => n.msg.markdown!.text.includes('2026\\-11\\-27 发给'))!;
    expect(fridays.msg.markdown!.text).toContain('李明、赵强 发出后一天内未阅读（此后是否阅读无从得知）');

    // the next reminder is read by both within the day: nothing follows of it
    await run('2026-12-01T08:50');
    dingtalk.readers.set(reminder().taskId, ['staff_li', 'staff_zhao']);
    await pollAt('2026-12-01T15:00');
    await run('2026-12-02T08:50');
    await run('2026-12-03T08:50');
    const followUps = dingtalk.notices.filter((n) => /^提醒(未读|无人阅读)/.test(n.msg.markdown!.title));
    expect(followUps.filter((n) => n.msg.markdown!.text.includes('2026\\-11\\-30 发给'))).not.toHaveLength(0);
    expect(followUps.filter((n) => n.msg.markdown!.text.includes('2026\\-12\\-01 发给'))).toHaveLength(0);
  });

  it('counts in the Monday report what DingTalk did not report read, by unit', async () => {
    await run('2026-11-26T08:50');
    dingtalk.readers.set(reminder().taskId, ['staff_li']);
    await pollAt('2026-11-26T09:25');
    await run('2026-11-27T08:50');
    await pollAt('2026-11-27T15:00');
    t.clock.set(at('2026-11-30T09:10'));
    await runJob(t.bot.services, 'weekly-report', at('2026-11-30T09:10'));
    await t.bot.dispatcher.flush();
    const [report] = noticesTo('staff_wang', '上周统计');
    // 赵强 read neither; 李明 has not read Friday's
    expect(report?.msg.markdown!.text).toContain('提醒未读：县应急管理局 2 位联络员未读');
  });

  it('asks again the next round when DingTalk refuses a question, until DingTalk forgets the task; nothing is recorded meanwhile', async () => {
    await run('2026-11-26T08:50');
    const { taskId } = reminder();
    dingtalk.readers.set(taskId, ['staff_li']);
    dingtalk.resultAnswers.push({ errcode: 143103, errmsg: '企业单应用消息发送人次QPM超限' });
    await pollAt('2026-11-26T09:25');
    expect(await t.scalar('SELECT count(*) FROM message_reads')).toBe(0);
    await pollAt('2026-11-26T09:30'); // no check fell due: asked again for the refusal
    expect(await t.column('SELECT user_id FROM message_reads')).toEqual(['staff_li']);
    expect(dingtalk.asked).toEqual([taskId, taskId]);

    // refused at the last check, and again just before DingTalk forgets the task: then never asked again
    dingtalk.resultAnswers.push({ errcode: 90018, errmsg: '当前企业所有应用调用该接口次数过多' }, { errcode: 90018, errmsg: '当前企业所有应用调用该接口次数过多' });
    await pollAt('2026-11-27T08:25');
    await pollAt('2026-11-27T08:45');
    expect(dingtalk.asked).toHaveLength(4);
    await pollAt('2026-11-27T08:51');
    expect(dingtalk.asked).toHaveLength(4);
  });
});

describe('a card sent as a work notice', () => {
  it('is kept for its reads but never queued an update when its item changes: DingTalk cannot change it', async () => {
    await run('2026-11-26T08:50');
    expect(await t.scalar("SELECT count(*) FROM sent_messages WHERE message_id LIKE 'notice:%' AND unit_id IS NOT NULL")).toBe(2);
    expect(await t.say('督办反馈 DB-2026-0001 已完成方案设计', 'dingtalk:staff_li')).toContain('已反馈：DB-2026-0001');
    expect(await t.say('督办办结 DB-2026-0001', ADMIN)).toContain('已办结');
    expect(await t.rows("SELECT status, last_error FROM outbox WHERE status <> 'sent'")).toEqual([]);
    expect(await t.scalar("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'card-update:%'")).toBe(0);
  });
});

describe('sending a work notice', () => {
  it('tries again later when DingTalk is busy or throttling, and gives up on a refusal that will not change', async () => {
    dingtalk.noticeAnswers.push({ errcode: 143104, errmsg: '企业每分钟发送人次QPM超限' });
    await run('2026-11-26T08:50');
    expect(await t.rows("SELECT status, last_error FROM outbox WHERE dedupe_key LIKE 'reminder%' OR last_error IS NOT NULL")).toMatchObject([{ status: 'pending', last_error: expect.stringContaining('143104') }]);
    t.clock.advance(60_000);
    await t.bot.dispatcher.flush();
    expect(reminder().userIds.sort()).toEqual(['staff_li', 'staff_zhao']);

    // a token DingTalk no longer takes is asked anew, and the notice sent with it
    const tokensBefore = dingtalk.tokens.asked;
    dingtalk.noticeAnswers.push({ errcode: 42001, errmsg: 'access_token超时' });
    await t.say('督办新建 标题=清理积存文件 牵头单位=应急局 时限=2026-12-09', ADMIN);
    expect(await t.scalar("SELECT status FROM outbox WHERE last_error LIKE '%42001%'")).toBe('pending');
    t.clock.advance(60_000);
    await t.bot.dispatcher.flush();
    expect(dingtalk.tokens.asked).toBe(tokensBefore + 1);
    expect(dingtalk.notices.at(-1)!.msg.markdown!.text).toContain('清理积存文件');

    dingtalk.noticeAnswers.push({ errcode: 1430002, errmsg: '包含违禁内容' });
    await t.say('督办新建 标题=整治违规占道经营 牵头单位=应急局 时限=2026-12-10', ADMIN);
    expect(await t.scalar("SELECT status FROM outbox WHERE last_error LIKE '%1430002%'")).toBe('failed');
  });
});
