// The DingTalk platform end to end: the real Express server, DingTalk's APIs faked with nock.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { runJob } from '../../src/jobs/run-job';
import { dingtalkSign } from '../../src/platforms/dingtalk/crypto';
import { robotMessage as robotMessageAt, signedHeaders as signedHeadersAt, type RobotOptions } from '../fixtures/dingtalk';
import { writeFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import { createDingtalkApi } from '../../src/platforms/dingtalk/client';
import { createDingtalkSender } from '../../src/platforms/dingtalk/sender';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { testDatabase } from '../test-db';
import { makeDocx } from '../fixtures/gbt9704/make-docx';
import { sharedExtractor } from '../fixtures/shared-extractor';

const NOTICE_PAGES = [['县应急管理局文件', '县应急〔2026〕7号', '关于做好冬季安全生产工作的通知', '各乡镇人民政府：', '现将有关事项通知如下。', '县应急管理局', '2026年11月20日']];

const API = 'https://api.dingtalk.com';
const OAPI = 'https://oapi.dingtalk.com';
const SECRET = 'dingtalk-app-secret-value';
const ENV = { DINGTALK_APP_KEY: 'dingkey', DINGTALK_APP_SECRET: SECRET, DINGTALK_ROBOT_CODE: 'dingrobot', ADMIN_IDS: 'dingtalk:manager1', OUTBOX_RETRY_BASE_MS: '1000' };

let t: TestBot;
let base: string;
const extractor = sharedExtractor();
let tokenCalls = 0;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  tokenCalls = 0;
  nock(API)
    .persist()
    .post('/v1.0/oauth2/accessToken', { appKey: 'dingkey', appSecret: SECRET })
    .reply(200, () => (tokenCalls++, { accessToken: 'ding-access-token', expireIn: 7200 }));
  // a Wednesday, a working day: the reminder job runs
  t = await makeBot({ env: ENV, now: '2026-11-25T09:00:00+08:00', extractor: extractor() });
  await t.bot.start({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${t.bot.port()}/webhook/dingtalk`;
  // the start's lookup of names (the admin has none) fetches the token the sends then share
  await t.bot.names.settled();
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

// DingTalk's callbacks made and signed at the bot's (the test's) time, a millisecond apart as
// DingTalk's are (a signed timestamp carries one message)
const robotMessage = (o: Omit<RobotOptions, 'createAt'> & { createAt?: number } = {}) => {
  t.clock.advance(1);
  return robotMessageAt({ createAt: t.clock.now(), ...o });
};
const signedHeaders = (secret: string, at = t.clock.now()) => signedHeadersAt(secret, at);
const post = (body: unknown, headers: Record<string, string> = signedHeaders(SECRET)) => fetch(base, { method: 'POST', body: JSON.stringify(body), headers });

function session(path = '/robot/sendBySession', answer: object = { errcode: 0, errmsg: 'ok' }) {
  const bodies: { msgtype: string; markdown?: { text: string }; text?: { content: string } }[] = [];
  const scope = nock(OAPI).post(path, (b) => (bodies.push(b), true)).query(true).reply(200, answer);
  return { scope, bodies };
}

function robotApi(path: '/v1.0/robot/oToMessages/batchSend' | '/v1.0/robot/groupMessages/send') {
  const bodies: Record<string, unknown>[] = [];
  const scope = nock(API)
    .persist()
    .post(path, (b) => (bodies.push(b), true))
    .matchHeader('x-acs-dingtalk-access-token', 'ding-access-token')
    .reply(200, { processQueryKey: 'q' });
  return { scope, bodies };
}

describe('receiving', () => {
  it('answers a signed message through its sessionWebhook', async () => {
    const { scope, bodies } = session();
    const tokensBefore = tokenCalls;
    expect((await post(robotMessage({ text: '我是谁' }))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(bodies[0]!.msgtype).toBe('markdown');
    expect(bodies[0]!.markdown!.text).toContain('manager1');
    expect(tokenCalls).toBe(tokensBefore); // the sessionWebhook needs no token
  });

  it('refuses a wrong signature, a stale timestamp and a createAt that does not match, storing nothing', async () => {
    const body = robotMessage({ text: '收文登记 标题=甲 来文单位=乙' });
    const wrong = { ...signedHeaders(SECRET), sign: dingtalkSign(String(t.clock.now()), 'another-secret') };
    expect((await post(body, wrong)).status).toBe(401);
    expect((await post(body, { ...signedHeaders(SECRET), sign: '' })).status).toBe(401);
    const stale = t.clock.now() - 3_700_000;
    expect((await post(robotMessage({ createAt: stale }), signedHeaders(SECRET, stale))).status).toBe(401);
    expect((await post(robotMessage({ createAt: t.clock.now() - 3_000_000 }))).status).toBe(401);
    expect((await fetch(base, { method: 'POST', body: '{"msgId":', headers: signedHeaders(SECRET) })).status).toBe(400);
    expect((await post({ hello: 'world' })).status).toBe(400);
    // signed, and still bounded before JSON.parse: a captured signature must not buy a parse of a megabyte of brackets
    const deep = await fetch(base, { method: 'POST', body: `{"msgId":"m","text":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, headers: signedHeaders(SECRET) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ error: 'body nested too deeply' });
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
  });

  it('takes each signed timestamp for one message only, and none from the future', async () => {
    const { scope } = session();
    const at = t.clock.now() - 1000;
    const headers = signedHeaders(SECRET, at);
    expect((await post(robotMessage({ text: '我是谁', msgId: 'msgFirst', createAt: at }), headers)).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    // the captured pair with another body: a stranger naming an admin's staff id
    const replay = await post(robotMessage({ text: '授权 dingtalk:stranger 角色=管理员', msgId: 'msgForged', createAt: at }), headers);
    expect(replay.status).toBe(401);
    // the same message again under its own signature is a redelivery, recognised and answered once
    expect((await post(robotMessage({ text: '我是谁', msgId: 'msgFirst', createAt: at }), headers)).status).toBe(200);
    const ahead = t.clock.now() + 6 * 60_000;
    expect((await post(robotMessage({ text: '我是谁', createAt: ahead }), signedHeaders(SECRET, ahead))).status).toBe(401);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(1);
    expect(await t.scalar("SELECT count(*) FROM people WHERE role = 'admin'")).toBe(1);
  });

  it('remembers the timestamps it has taken across a restart', async () => {
    // both bots on a database that outlives them: makeBot gives each a database of its own (on
    // PostgreSQL a new one, which this one then stands in for; on SQLite the folder's file)
    const { dir, cleanup } = tempDir();
    const database = await testDatabase(dir);
    onTestFinished(async () => {
      await database.drop();
      cleanup();
    });
    const restart = async () => {
      await t.close();
      t = await makeBot({ env: { ...ENV, ...database.env }, now: '2026-11-25T09:00:00+08:00', dir });
      await t.bot.start({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${t.bot.port()}/webhook/dingtalk`;
      await t.bot.names.settled();
    };
    await restart();
    const at = t.clock.now();
    session();
    expect((await post(robotMessage({ text: '我是谁', msgId: 'msgBefore', createAt: at }), signedHeaders(SECRET, at))).status).toBe(200);
    await restart();
    expect((await post(robotMessage({ text: '授权 dingtalk:stranger 角色=管理员', msgId: 'msgAfter', createAt: at }), signedHeaders(SECRET, at))).status).toBe(401);
  });

  it('carries out the same msgId delivered three times once', async () => {
    const { scope } = session();
    const body = robotMessage({ text: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', msgId: 'msgDup' });
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(1);
  });

  it('maps group messages (trimmed), mentions by staff id, and treats a sender without a staff id as unknown', async () => {
    const group = session();
    await post(robotMessage({ text: '本群启用 公文', group: true }));
    await vi.waitFor(() => expect(group.scope.isDone()).toBe(true), { timeout: 5000 });
    const grant = session();
    await post(robotMessage({ text: '授权 @李四 角色=员工', group: true, atStaffIds: ['lisi01'] }));
    await vi.waitFor(() => expect(grant.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(grant.bodies[0]!.text?.content ?? grant.bodies[0]!.markdown?.text).toContain('dingtalk:lisi01');
    const anonymous = session();
    await post(robotMessage({ text: '收文登记 标题=甲 来文单位=乙', staffId: null }));
    await vi.waitFor(() => expect(anonymous.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(JSON.stringify(anonymous.bodies[0])).toContain('我是谁');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });
});

describe('replying', () => {
  it('does not post to a sessionWebhook on a host that is not allowed; the robot API answers instead', async () => {
    const forged = nock('https://evil.example').post(/.*/).reply(200, { errcode: 0 });
    const { scope, bodies } = robotApi('/v1.0/robot/oToMessages/batchSend');
    await post(robotMessage({ text: '我是谁', sessionWebhook: 'https://evil.example/robot/sendBySession?session=x' }));
    await vi.waitFor(() => expect(bodies).toHaveLength(1), { timeout: 5000 });
    expect(forged.isDone()).toBe(false);
    expect(bodies[0]).toMatchObject({ robotCode: 'dingrobot', userIds: ['manager1'], msgKey: 'sampleMarkdown' });
    scope.persist(false);
  });

  it('uses the robot API when the sessionWebhook has expired, in groups by conversation id', async () => {
    const { bodies } = robotApi('/v1.0/robot/groupMessages/send');
    await post(robotMessage({ text: '本群设置', group: true, sessionExpiresIn: 60_000 }));
    await vi.waitFor(() => expect(bodies).toHaveLength(1), { timeout: 5000 });
    expect(bodies[0]).toMatchObject({ robotCode: 'dingrobot', openConversationId: 'cidGroup==' });
    expect(JSON.parse(bodies[0]!.msgParam as string).text).toContain('本群设置');
  });

  it('retries through the outbox when the sessionWebhook answers errcode ≠ 0 with HTTP 200', async () => {
    const expired = session('/robot/sendBySession', { errcode: 300001, errmsg: 'session 不存在' });
    const { bodies } = robotApi('/v1.0/robot/oToMessages/batchSend');
    await post(robotMessage({ text: '我是谁' }));
    await vi.waitFor(() => expect(expired.scope.isDone()).toBe(true), { timeout: 5000 });
    await vi.waitFor(async () => expect(await t.scalar('SELECT last_error FROM outbox')).toContain('300001'));
    t.clock.advance(2000);
    t.bot.dispatcher.kick();
    await vi.waitFor(() => expect(bodies).toHaveLength(1), { timeout: 5000 });
    // the fake API has the body before the dispatcher commits what it heard back
    await vi.waitFor(async () => expect(await t.scalar("SELECT status || ':' || attempts FROM outbox")).toBe('sent:2'));
  });

  it('sends a reminder to 25 people in two batchSend calls, with one token', async () => {
    const { bodies } = robotApi('/v1.0/robot/oToMessages/batchSend');
    const admin = 'dingtalk:manager1';
    await t.say('单位新增 县应急管理局', admin);
    for (let i = 1; i <= 25; i++) await t.say(`授权 dingtalk:staff${i} 角色=联络员 单位=县应急管理局`, admin);
    await t.say(`收文登记 标题=今天到期 来文单位=市政府办公室 办理时限=今天 承办单位=县应急管理局`, admin);
    await vi.waitFor(() => expect(bodies).toHaveLength(2), { timeout: 5000 }); // the assignment notice
    const at = t.clock.now();
    expect((await runJob(t.bot.services, 'reminders', at)).summary).toMatchObject({ recipients: 25, messages: 25 });
    t.bot.dispatcher.kick();
    await vi.waitFor(() => expect(bodies).toHaveLength(4), { timeout: 5000 });
    const reminder = bodies.slice(2);
    expect(reminder.map((b) => (b.userIds as string[]).length)).toEqual([20, 5]);
    expect(new Set(reminder.flatMap((b) => b.userIds as string[])).size).toBe(25);
    expect(JSON.parse(reminder[0]!.msgParam as string).text).toContain('到期提醒');
    expect(tokenCalls).toBe(1); // for the whole run: the start's name lookup, then four sends
  });

  it('answers a message it cannot take politely (a voice message), and a picture with what it does take', async () => {
    const voice = session();
    await post(robotMessage({ msgtype: 'audio' }));
    await vi.waitFor(() => expect(voice.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(voice.bodies[0]!.text!.content).toContain('暂时只能处理文字消息');
    const picture = session();
    await post(robotMessage({ msgtype: 'picture', content: { pictureDownloadCode: 'pic' } }));
    await vi.waitFor(() => expect(picture.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(picture.bodies[0]!.text!.content).toContain('图片不能登记为公文');
  });

  it('reads a 公文 sent as a file (its download code exchanged for a URL) and answers with the whole 收文登记 to send back', async () => {
    const exchange = nock(API)
      .post('/v1.0/robot/messageFiles/download', { robotCode: 'dingrobot', downloadCode: 'dc-1' })
      .matchHeader('x-acs-dingtalk-access-token', 'ding-access-token')
      .reply(200, { downloadUrl: 'https://down.dingtalk.example/file?sig=signed' });
    const file = nock('https://down.dingtalk.example').get('/file').query({ sig: 'signed' }).reply(200, makeDocx(NOTICE_PAGES));
    const { scope, bodies } = session();
    await post(robotMessage({ msgtype: 'file', content: { downloadCode: 'dc-1', fileName: '通知.docx' } }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(exchange.isDone() && file.isDone()).toBe(true);
    const command = linksIn(bodies[0]!.markdown!.text)['核对无误，点此发送']!;
    expect(command).toMatch(/^收文登记 标题=关于做好冬季安全生产工作的通知 来文单位=县应急管理局 文号=县应急〔2026〕7号 .*文件=F1$/);
    expect(await t.rows('SELECT status, name FROM received_files')).toEqual([{ status: 'draft', name: '通知.docx' }]);
    // one tap registers it, the file with it
    const registered = session();
    await post(robotMessage({ text: command }));
    await vi.waitFor(() => expect(registered.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.rows('SELECT title, doc_number FROM documents')).toEqual([{ title: '关于做好冬季安全生产工作的通知', doc_number: '县应急〔2026〕7号' }]);
    expect(await t.scalar('SELECT status FROM received_files')).toBe('registered');
  });
});

describe('names', () => {
  it('reads from DingTalk’s directory the name of someone granted by staff id, who has not written yet', async () => {
    const directory = nock(OAPI)
      .post('/topapi/v2/user/get', { userid: 'staff_7', language: 'zh_CN' })
      .query({ access_token: 'ding-access-token' })
      .reply(200, { errcode: 0, errmsg: 'ok', result: { userid: 'staff_7', name: '孙科长' } });
    expect(await t.say('授权 dingtalk:staff_7 角色=员工', 'dingtalk:manager1')).toContain('已授权');
    t.clock.advance(10_000); // a round at most every ten seconds
    t.bot.names.kick();
    await t.bot.names.settled();
    directory.done();
    expect(await t.say('人员列表', 'dingtalk:manager1')).toContain('孙科长｜员工｜dingtalk:staff_7');
  });

  it('asks DingTalk’s directory again an hour after it was throttled, and takes the name then', async () => {
    let asked = 0;
    nock(OAPI)
      .persist()
      .post('/topapi/v2/user/get', (b) => b.userid === 'staff_9')
      .query({ access_token: 'ding-access-token' })
      .reply(200, () => (++asked === 1 ? { errcode: 90018, errmsg: '当前企业所有应用调用该接口次数过多' } : { errcode: 0, errmsg: 'ok', result: { userid: 'staff_9', name: '周主任' } }));
    nock(OAPI).persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
    expect(await t.say('授权 dingtalk:staff_9 角色=员工', 'dingtalk:manager1')).toContain('已授权');
    t.clock.advance(10_000);
    t.bot.names.kick();
    await t.bot.names.settled();
    expect(asked).toBe(1);
    t.clock.advance(30 * 60_000); // half an hour: not yet
    t.bot.names.kick();
    await t.bot.names.settled();
    expect(asked).toBe(1);
    t.clock.advance(31 * 60_000);
    t.bot.names.kick();
    await t.bot.names.settled();
    expect(asked).toBe(2);
    expect(await t.say('人员列表', 'dingtalk:manager1')).toContain('周主任｜员工｜dingtalk:staff_9');
  });

  it('takes the name a message of someone granted carries (senderNick), and checks every name again in the directory a day later', async () => {
    expect(await t.say('授权 dingtalk:staff_8 角色=员工', 'dingtalk:manager1')).toContain('已授权');
    expect(await t.say('人员列表', 'dingtalk:manager1')).toContain('（未知姓名）｜员工｜dingtalk:staff_8');
    const { scope } = session();
    await post(robotMessage({ text: '我是谁', staffId: 'staff_8' })); // senderNick 张三
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.say('人员列表', 'dingtalk:manager1')).toContain('张三｜员工｜dingtalk:staff_8');
    // renamed in the directory: seen at the next day's check, not before
    const directory = nock(OAPI)
      .persist()
      .post('/topapi/v2/user/get', (b) => b.userid === 'staff_8')
      .query({ access_token: 'ding-access-token' })
      .reply(200, { errcode: 0, errmsg: 'ok', result: { userid: 'staff_8', name: '张三丰' } });
    nock(OAPI).persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
    t.clock.advance(86_400_000 + 10_000);
    t.bot.names.kick();
    await t.bot.names.settled();
    expect(directory.isDone()).toBe(true);
    expect(await t.say('人员列表', 'dingtalk:manager1')).toContain('张三丰｜员工｜dingtalk:staff_8');
  });
});

const SEND_LINK = 'dtmd://dingtalkclient/sendMessage?content=';
/** The commands a markdown message's links send when tapped, by label. */
const linksIn = (markdown: string) =>
  Object.fromEntries([...markdown.matchAll(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)/g)].filter(([, , to]) => to!.startsWith(SEND_LINK)).map(([, label, to]) => [label!.replace(/\\(.)/g, '$1'), decodeURIComponent(to!.slice(SEND_LINK.length))]));

describe('buttons', () => {
  it('are links in a private chat that send the exact command, which the robot then carries out as typed', async () => {
    await t.say('单位新增 名称=县应急管理局 简称=应急局', 'dingtalk:manager1');
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=应急局', 'dingtalk:manager1');
    const card = session();
    await post(robotMessage({ text: '公文查询 SW-2026-0001' }));
    await vi.waitFor(() => expect(card.scope.isDone()).toBe(true), { timeout: 5000 });
    const links = linksIn(card.bodies[0]!.markdown!.text);
    expect(links).toEqual({ 办结: '公文办结 SW-2026-0001' });
    // the tap: the person's client sends the link's text into the chat as their message
    const done = session();
    await post(robotMessage({ text: links['办结']! }));
    await vi.waitFor(() => expect(done.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.scalar('SELECT status FROM documents')).toBe('closed');
  });

  it('are commands to send with an @ in a group, where a link’s message would not reach the robot', async () => {
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', 'dingtalk:manager1');
    const opened = session();
    await post(robotMessage({ group: true, text: '本群启用 公文' }));
    await vi.waitFor(() => expect(opened.scope.isDone()).toBe(true), { timeout: 5000 });
    const card = session();
    await post(robotMessage({ group: true, text: '公文查询 SW-2026-0001' }));
    await vi.waitFor(() => expect(card.scope.isDone()).toBe(true), { timeout: 5000 });
    const markdown = card.bodies[0]!.markdown!.text;
    expect(markdown).not.toContain('dtmd:');
    expect(markdown).toContain('可@我发送');
    expect(markdown).toContain('- `公文办结 SW-2026-0001`');
  });
});

describe('files', () => {
  const uploadAnswers = (...answers: object[]) => {
    const uploads: string[] = [];
    const scope = nock(OAPI)
      .persist()
      .post('/media/upload', (b) => (uploads.push(Buffer.from(String(b), 'hex').toString('utf8')), true))
      .query({ access_token: 'ding-access-token', type: 'file' })
      .reply(200, () => answers[Math.min(uploads.length, answers.length) - 1]!);
    return { scope, uploads };
  };
  const UPLOADED = { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@lAzPDfile', created_at: 1_795_000_000_000 };

  it('sends an exported ledger to whoever asked as a file: uploaded, then a sampleFile message by its media id, the server’s path never shown', async () => {
    const asked = session();
    const { uploads } = uploadAnswers({ errcode: 90018, errmsg: '当前企业所有应用调用该接口次数过多，已被限流' }, UPLOADED);
    const { bodies } = robotApi('/v1.0/robot/oToMessages/batchSend');
    await post(robotMessage({ text: '导出 督办 2026' }));
    await vi.waitFor(() => expect(uploads).toHaveLength(1), { timeout: 10_000 });
    // DingTalk's flow control: tried again later
    await vi.waitFor(async () => expect(await t.scalar("SELECT last_error FROM outbox WHERE status = 'pending'")).toContain('90018'), { timeout: 5000 });
    t.clock.advance(60_000);
    t.bot.dispatcher.kick();
    await vi.waitFor(() => expect(bodies).toHaveLength(1), { timeout: 10_000 });
    expect(bodies[0]).toMatchObject({ robotCode: 'dingrobot', userIds: ['manager1'], msgKey: 'sampleFile' });
    expect(JSON.parse(bodies[0]!.msgParam as string)).toEqual({ mediaId: '@lAzPDfile', fileName: '督办台账-2026-1.xlsx', fileType: 'xlsx' });
    expect(uploads[1]).toContain('name="media"; filename="督办台账-2026-1.xlsx"');
    expect(uploads[1]).toContain('PK'); // the workbook itself: a ZIP
    expect(uploads[1]).toMatch(/name="type"\r\n\r\nfile\r\n/);
    const said = JSON.stringify([asked.bodies, bodies]);
    expect(said).not.toContain(t.dir);
    expect(said).not.toMatch(/\.xlsx.*\/|\/[^"]*exports/);
  });

  it('gives up on a file DingTalk refuses for good, saying so in the outbox', async () => {
    session();
    uploadAnswers({ errcode: 40004, errmsg: '不合法的媒体文件类型' });
    await post(robotMessage({ text: '导出 督办 2026' }));
    await vi.waitFor(async () => expect(await t.scalar("SELECT status || ' ' || last_error FROM outbox WHERE last_error IS NOT NULL")).toMatch(/^failed .*40004/), { timeout: 10_000 });
  });

  it('offers from the console a file over DingTalk’s 10 MB, without uploading it', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const path = join(dir, '收文台账-2026-1.xlsx');
    // a sparse file: just over 10 MB long, nothing written
    await writeFile(path, '');
    await truncate(path, 10 * 1024 * 1024 + 1);
    const upload = uploadAnswers(UPLOADED);
    const { bodies } = robotApi('/v1.0/robot/oToMessages/batchSend');
    const api = createDingtalkApi({ appKey: 'dingkey', appSecret: SECRET, robotCode: 'dingrobot', apiBase: API, oapiBase: OAPI, sessionWebhookHosts: [], mode: 'webhook', workNotice: null }, 5000);
    const sender = createDingtalkSender(api, { allowedHosts: [], workNotice: null }, t.clock, createLogger('silent'));
    await sender.send({ id: 1, dedupeKey: 'k', platform: 'dingtalk', attempt: 1, target: { kind: 'user', userId: 'manager1' }, reply: { file: { path, name: '收文台账-2026-1.xlsx', caption: '2026年收文台账（90000 行）' } } });
    expect(upload.uploads).toHaveLength(0);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.msgKey).toBe('sampleText');
    const said = JSON.parse(bodies[0]!.msgParam as string).content as string;
    expect(said).toContain('2026年收文台账（90000 行）');
    expect(said).toContain('管理后台');
    expect(said).not.toContain(dir);
  });
});
