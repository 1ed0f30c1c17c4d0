// Feishu's long connection (LARK_MODE=websocket): the real bot and the SDK's WSClient against a
// fake server speaking Feishu's binary frames on loopback; Feishu's HTTP API faked with nock.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cardEvent, messageEvent, readEvent, userDeletedEvent } from '../fixtures/lark';
import { fakeMessages, LARK, onlyLoopback, startLarkBot, type TakenMessage } from '../fixtures/lark-bot';
import { fakeLarkWs } from '../fixtures/fake-lark-ws';
import type { TestBot } from '../helpers';

// the SDK's long connection takes only an app id of Feishu's form
const APP_ID = 'cli_a1b2c3d4e5f60718';
const ENV = { LARK_APP_ID: APP_ID, LARK_APP_SECRET: 'lark-app-secret-value', LARK_MODE: 'websocket', ADMIN_IDS: 'lark:ou_admin', OUTBOX_RETRY_BASE_MS: '1000' };

let t: TestBot;
let ws: Awaited<ReturnType<typeof fakeLarkWs>>;
let created: TakenMessage[];

onlyLoopback();
beforeEach(async () => {
  ws = await fakeLarkWs({ domain: LARK, appId: APP_ID, appSecret: ENV.LARK_APP_SECRET });
  t = await startLarkBot(ENV);
  created = fakeMessages((body, n) => `om_to_${body.receive_id}_${n}`);
  await vi.waitFor(() => expect(ws.ready()).toBe(1), { timeout: 10_000 });
});
afterEach(async () => {
  await t.close();
  await ws.close();
  nock.cleanAll();
});

const replyTo = (messageId: string) => created.filter((m) => m.id === `${messageId}_reply`);
const answered = (frame: string) => vi.waitFor(() => ws.answerTo(frame) ?? Promise.reject(new Error(`${frame} not answered`)), { timeout: 5000 });

/** Sends a command over the long connection; resolves with its reply. */
async function say(text: string, messageId: string, openId = 'ou_admin'): Promise<TakenMessage> {
  const frame = ws.push(messageEvent({ text, messageId, openId }));
  expect((await answered(frame)).code).toBe(200);
  return vi.waitFor(() => replyTo(messageId)[0] ?? Promise.reject(new Error(`no reply to ${text}`)), { timeout: 5000 });
}

describe('Feishu’s long connection', () => {
  it('carries out a message pushed over it, answering the frame with 200 and the message by the API', async () => {
    expect(ws.endpointCalls).toEqual([1]);
    const reply = await say('我是谁', 'om_w1');
    expect(reply.content).toContain('ou_admin');
  });

  it('carries out an event pushed twice once, answering both pushes', async () => {
    const event = messageEvent({ text: '我是谁', messageId: 'om_w2' });
    const first = ws.push(event);
    const again = ws.push(event);
    expect((await answered(first)).code).toBe(200);
    expect((await answered(again)).code).toBe(200);
    await vi.waitFor(() => expect(replyTo('om_w2')).toHaveLength(1), { timeout: 5000 });
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(replyTo('om_w2')).toHaveLength(1);
    expect(await t.scalar("SELECT count(*) FROM inbox WHERE platform = 'lark'")).toBe(1);
  });

  it('reconnects when the connection drops, asking for a new address, and takes events on the new one, a redelivery still once', async () => {
    const event = messageEvent({ text: '我是谁', messageId: 'om_w3' });
    ws.push(event);
    await vi.waitFor(() => expect(replyTo('om_w3')).toHaveLength(1), { timeout: 5000 });
    ws.drop();
    await vi.waitFor(() => expect(ws.ready()).toBe(2), { timeout: 10_000 });
    expect(ws.endpointCalls).toEqual([1, 2]);
    const redelivered = ws.push(event);
    expect((await answered(redelivered)).code).toBe(200);
    await say('帮助', 'om_w4');
    await t.bot.dispatcher.flush();
    expect(replyTo('om_w3')).toHaveLength(1);
  });

  it('answers a card click over the connection with the card the command leaves, the command carried out as typed', async () => {
    await say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', 'om_w5');
    const frame = ws.push(cardEvent({ command: '公文办结 SW-2026-0001', messageId: 'om_card_w' }));
    const { code, result } = await answered(frame);
    expect(code).toBe(200);
    expect(result).toMatchObject({ toast: { type: 'success' }, card: { type: 'raw', data: { schema: '2.0', header: { title: { content: '已办结：SW-2026-0001' } } } } });
    expect(await t.scalar('SELECT status FROM documents')).toBe('closed');
  });

  it('records a read pushed over it, and takes someone leaving the organisation from it', async () => {
    await say('单位新增 名称=县应急管理局 简称=应急局', 'om_w6');
    await say('授权 lark:ou_li 角色=联络员 单位=应急局 姓名=李明', 'om_w7');
    const read = ws.push(readEvent({ openId: 'ou_li', messageIds: ['om_to_ou_li_1'], readAt: t.clock.now() }));
    expect((await answered(read)).code).toBe(200);
    expect(await t.rows('SELECT user_id, message_id FROM message_reads')).toEqual([{ user_id: 'ou_li', message_id: 'om_to_ou_li_1' }]);

    const left = ws.push(userDeletedEvent({ openId: 'ou_li', name: '李明' }));
    expect((await answered(left)).code).toBe(200);
    await vi.waitFor(async () => expect(await t.scalar("SELECT role FROM people p JOIN identities i ON i.person_id = p.id WHERE i.user_id = 'ou_li'")).toBeNull(), { timeout: 5000 });
  });

  it('answers an event it can never read with 200, so Feishu does not push it again, and carries out nothing', async () => {
    const broken = messageEvent({ text: '我是谁', messageId: 'om_w8' }) as { event: Record<string, unknown> };
    delete broken.event.message;
    expect((await answered(ws.push(broken))).code).toBe(200);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
  });
});
