// DingTalk's Stream mode (DINGTALK_MODE=stream): the real bot and the official dingtalk-stream SDK
// against a fake gateway speaking DingTalk's protocol on loopback; replies faked with nock.
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { robotMessage } from '../fixtures/dingtalk';
import { fakeDingtalkStream } from '../fixtures/fake-dingtalk-stream';
import { createStreamClient } from '../../src/platforms/dingtalk/stream';
import { makeBot, type TestBot } from '../helpers';

const OAPI = 'https://oapi.dingtalk.com';
const SECRET = 'dingtalk-app-secret-value';
const ENV = { DINGTALK_APP_KEY: 'dingkey', DINGTALK_APP_SECRET: SECRET, DINGTALK_ROBOT_CODE: 'dingrobot', DINGTALK_MODE: 'stream', ADMIN_IDS: 'dingtalk:manager1' };

let t: TestBot;
let running = false;
let stream: Awaited<ReturnType<typeof fakeDingtalkStream>>;
let lines: string[];

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  nock('https://api.dingtalk.com').persist().post('/v1.0/oauth2/accessToken').reply(200, { accessToken: 'ding-access-token', expireIn: 7200 });
  nock(OAPI).persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
  lines = [];
  t = await makeBot({ env: ENV, now: '2026-11-25T09:00:00+08:00', log: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }) });
  stream = await fakeDingtalkStream({ clientId: 'dingkey', clientSecret: SECRET, now: () => t.clock.now() });
  // resolves once the connection is open
  await t.bot.start();
  running = true;
});
afterEach(async () => {
  if (running) await t.close();
  running = false;
  await stream.close();
  nock.cleanAll();
});

/** A robot message as DingTalk pushes it, made at the bot's time, with a sessionWebhook the reply goes to. */
function message(text: string, msgId: string) {
  t.clock.advance(1);
  return robotMessage({ text, msgId, createAt: t.clock.now(), sessionWebhook: `https://oapi.dingtalk.com/robot/sendBySession?session=${msgId}` });
}

function replies() {
  const bodies: { session: string; text: string }[] = [];
  nock(OAPI)
    .persist()
    .post('/robot/sendBySession')
    .query(true)
    .reply((uri, body) => {
      bodies.push({ session: new URL(uri, OAPI).searchParams.get('session') ?? '', text: JSON.stringify(body) });
      return [200, { errcode: 0, errmsg: 'ok' }];
    });
  return bodies;
}

const ackOf = (messageId: string) => stream.acks.filter((a) => a.headers.messageId === messageId);

describe('DingTalk Stream mode', () => {
  it('subscribes to robot messages, carries one out, answers it, and acknowledges it once it is stored', async () => {
    expect(stream.opened[0]!.subscriptions).toContainEqual({ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' });
    expect(stream.tickets).toEqual(['ticket-1']);
    const sent = replies();
    const pushed = stream.push(message('我是谁', 'msg-a'));
    await vi.waitFor(() => expect(ackOf(pushed)).toHaveLength(1), { timeout: 5000 });
    expect(ackOf(pushed)[0]).toMatchObject({ code: 200, message: 'OK', data: JSON.stringify({ response: { status: 'SUCCESS' } }) });
    await vi.waitFor(() => expect(sent.map((b) => b.session)).toEqual(['msg-a']), { timeout: 5000 });
    expect(sent[0]!.text).toContain('manager1');
  });

  it('carries out a message pushed twice (unacknowledged in time) once, and acknowledges both pushes', async () => {
    const sent = replies();
    const body = message('我是谁', 'msg-b');
    const first = stream.push(body);
    const again = stream.push(body);
    await vi.waitFor(() => expect([ackOf(first).length, ackOf(again).length]).toEqual([1, 1]), { timeout: 5000 });
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(sent).toHaveLength(1);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(1);
  });

  it('reconnects with a new ticket when the connection drops, and takes messages on the new one, a redelivery still once', async () => {
    const sent = replies();
    const body = message('我是谁', 'msg-c');
    const before = stream.push(body);
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 5000 });
    stream.drop();
    await vi.waitFor(() => expect(stream.sockets).toHaveLength(2), { timeout: 10_000 });
    expect(stream.tickets).toEqual(['ticket-1', 'ticket-2']);
    // DingTalk pushes again what it had no acknowledgement of, and new messages come on the new connection
    const redelivered = stream.push(body);
    const next = stream.push(message('帮助', 'msg-d'));
    await vi.waitFor(() => expect(ackOf(next)).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(() => expect(sent.map((b) => b.session)).toEqual(['msg-c', 'msg-d']), { timeout: 5000 });
    expect(ackOf(before).length + ackOf(redelivered).length).toBe(2);
  });

  it('acknowledges what can never be a robot message, and carries out nothing', async () => {
    const sent = replies();
    const notJson = stream.push('{"msgId": ');
    const notRobot = stream.push({ hello: 'world' });
    await vi.waitFor(() => expect([ackOf(notJson).length, ackOf(notRobot).length]).toEqual([1, 1]), { timeout: 5000 });
    expect(lines.filter((l) => l.includes('DingTalk stream message dropped'))).toHaveLength(2);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('stays stopped: the SDK’s reconnect timer, firing after the bot stopped, opens nothing', async () => {
    // the client the platform makes, with its stop already said: the SDK's own timer calls connect()
    const client = await createStreamClient({ clientId: 'dingkey', clientSecret: SECRET }, () => true, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }));
    await client.connect();
    expect(lines.some((l) => l.includes('DingTalk stream stopped: not reconnecting'))).toBe(true);
    expect(stream.opened).toHaveLength(1);
    expect(stream.sockets).toHaveLength(1);
  });

  it('stays stopped when the stop comes while the gateway is asked for an address: the connection is not opened', async () => {
    const held = stream.hold();
    stream.drop();
    await vi.waitFor(() => expect(held.waiting()).toBe(1), { timeout: 10_000 }); // the reconnect is asking
    await t.close();
    running = false;
    held.release();
    await vi.waitFor(() => expect(lines.some((l) => l.includes('DingTalk stream stopped: not opening the connection'))).toBe(true), { timeout: 5000 });
    expect(stream.sockets).toHaveLength(1);
  });

  it('asks for one connection while one is being made, however often the SDK’s timers ask', async () => {
    const client = await createStreamClient({ clientId: 'dingkey', clientSecret: SECRET }, () => false, pino({ level: 'silent' }));
    onTestFinished(() => client.disconnect());
    const held = stream.hold();
    const attempts = [client.connect(), client.connect(), client.connect()];
    await vi.waitFor(() => expect(held.waiting()).toBe(1), { timeout: 5000 });
    held.release();
    await Promise.all(attempts);
    expect(stream.opened).toHaveLength(2); // the bot's, and this one
    expect(stream.sockets).toHaveLength(2);
  });

  it('gives up on a gateway that does not answer, and asks again', async () => {
    const client = await createStreamClient({ clientId: 'dingkey', clientSecret: SECRET }, () => false, pino({ level: 'silent' }), 200);
    onTestFinished(() => client.disconnect());
    const held = stream.hold();
    void client.connect();
    // the SDK asks again a second after the first request is given up on
    await vi.waitFor(() => expect(held.waiting()).toBe(2), { timeout: 10_000 });
    held.release();
    await vi.waitFor(() => expect(stream.sockets).toHaveLength(2), { timeout: 10_000 });
  });

  it('survives a frame that is not JSON, and takes the next message', async () => {
    const sent = replies();
    stream.sendRaw('<html>502 Bad Gateway</html>');
    await vi.waitFor(() => expect(lines.some((l) => l.includes('DingTalk stream frame dropped: not readable'))).toBe(true), { timeout: 5000 });
    stream.push(message('我是谁', 'msg-e'));
    await vi.waitFor(() => expect(sent.map((b) => b.session)).toEqual(['msg-e']), { timeout: 5000 });
  });
});
