// The Lark sender against the real SDK with Lark's HTTP API faked: limits, error kinds, timeouts.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Outgoing } from '../../src/lib/delivery';
import { SendError } from '../../src/lib/delivery';
import { createLogger } from '../../src/logger';
import { createLarkClient } from '../../src/platforms/lark/client';
import { envelopeOf } from '../../src/platforms/lark';
import { mapMessageEvent } from '../../src/platforms/lark/mapping';
import { createLarkSender } from '../../src/platforms/lark/sender';
import { messageEvent } from '../fixtures/lark';

const LARK = 'http://lark.test:4010';
const settings = { appId: 'cli_s', appSecret: 'sec', domain: LARK, mode: 'webhook' as const, menu: {} };

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

function token() {
  nock(LARK).persist().post('/open-apis/auth/v3/tenant_access_token/internal').reply(200, { code: 0, tenant_access_token: 't-s', expire: 7200 });
}

const toChat = (id: number, chatId = 'oc_1'): Outgoing => ({ id, dedupeKey: `k${id}`, platform: 'lark', target: { kind: 'chat', chatId }, reply: { text: `消息${id}` }, attempt: 1 });

describe('Lark sender', () => {
  it('sends at most 5 messages a second into one chat, queueing the rest', async () => {
    token();
    const times: number[] = [];
    nock(LARK).persist().post('/open-apis/im/v1/messages').query({ receive_id_type: 'chat_id' }).reply(200, () => (times.push(Date.now()), { code: 0, data: {} }));
    const sender = createLarkSender(createLarkClient(settings, 5000, createLogger('silent')));
    const started = Date.now();
    await Promise.all(Array.from({ length: 11 }, (_, i) => sender.send(toChat(i + 1))));
    expect(times).toHaveLength(11);
    times.sort((a, b) => a - b);
    // A busy machine can only delay a request past its release, never bring it forward: the
    // sixth may leave a second after the start at the earliest, the eleventh two seconds (less a
    // timer's millisecond of rounding).
    times.forEach((at, i) => expect(at - started).toBeGreaterThanOrEqual(Math.floor(i / 5) * 1000 - 2));
  });

  it('sends to a person by open_id, to a chat by chat_id, and a reply to its message', async () => {
    token();
    const seen: string[] = [];
    nock(LARK).post('/open-apis/im/v1/messages').query({ receive_id_type: 'open_id' }).reply(200, (_u, b) => (seen.push(`user:${(b as { receive_id: string }).receive_id}`), { code: 0 }));
    nock(LARK).post('/open-apis/im/v1/messages/om_9/reply').reply(200, () => (seen.push('reply:om_9'), { code: 0 }));
    const sender = createLarkSender(createLarkClient(settings, 5000, createLogger('silent')));
    await sender.send({ ...toChat(1), target: { kind: 'user', userId: 'ou_7' } });
    await sender.send({ ...toChat(2), target: { kind: 'reply', chatId: 'oc_1', chatType: 'group', messageId: 'om_9', userId: 'ou_7' } });
    expect(seen).toEqual(['user:ou_7', 'reply:om_9']);
  });

  it.each([
    [400, { code: 230002, msg: 'bot not in chat' }, true, undefined, {}],
    [400, { code: 230020, msg: 'rate limited' }, false, undefined, {}],
    [429, { code: 99991400, msg: 'too many' }, false, 3000, { 'x-ogw-ratelimit-reset': '3' }],
    [500, { code: 1, msg: 'oops' }, false, undefined, {}],
    [200, { code: 230013, msg: 'no availability to the user' }, true, undefined, {}],
  ])('classifies HTTP %s %j as permanent: %s, retry after %s ms', async (status, body, permanent, retryAfterMs, headers) => {
    token();
    nock(LARK).post('/open-apis/im/v1/messages').query(true).reply(status, body, headers);
    const sender = createLarkSender(createLarkClient(settings, 5000, createLogger('silent')));
    const error = await sender.send(toChat(1)).catch((e) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error.permanent).toBe(permanent);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.message).not.toContain('t-s'); // never the access token
  });

  it('gives up on a call that hangs past the timeout, to be retried', async () => {
    token();
    nock(LARK).post('/open-apis/im/v1/messages').query(true).delay(5000).reply(200, { code: 0 });
    const sender = createLarkSender(createLarkClient(settings, 200, createLogger('silent')));
    const started = Date.now();
    const error = await sender.send(toChat(1)).catch((e) => e);
    // without the 200 ms timeout the answer would have come after the 5 s the call hangs
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(SendError);
    expect(error.permanent).toBe(false);
  });
});

describe('long connection', () => {
  it('rebuilds the envelope the SDK flattens, so the same mapping applies', () => {
    const event = messageEvent({ text: '帮助', eventId: 'ev_ws', messageId: 'om_ws' });
    const flattened = { schema: '2.0', ...event.header, ...event.event };
    const mapped = mapMessageEvent(envelopeOf(flattened, 'im.message.receive_v1'), 'ou_bot', 0);
    expect(mapped).toMatchObject({ kind: 'message', message: { eventId: 'ev_ws', messageId: 'om_ws', text: '帮助', sender: { userId: 'ou_admin' } } });
  });
});
