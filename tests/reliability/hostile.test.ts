// Hostile input of every kind: it gets a 4xx or a refusal, crashes nothing, writes nothing, and
// what it smuggles into stored text never comes out as markup.
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalField } from '../../commands/kit/fields';
import { parseArguments } from '../../src/engine/parser';
import { messageEvent, signedRequest } from '../fixtures/lark';
import { makeBot, type TestBot } from '../helpers';

const KEY = 'hostile-key';
let t: TestBot;
let base: string;
const count = async (sql: string) => (await t.scalar<number>(sql))!;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  nock('https://open.feishu.cn').persist().post('/open-apis/auth/v3/tenant_access_token/internal').reply(200, { code: 0, tenant_access_token: 't-h', expire: 7200 });
  nock('https://open.feishu.cn').persist().get('/open-apis/bot/v3/info').reply(200, { code: 0, bot: { open_id: 'ou_bot' } });
  t = await makeBot({ env: { LARK_APP_ID: 'cli_h', LARK_APP_SECRET: 'h-secret', LARK_ENCRYPT_KEY: KEY, ADMIN_IDS: 'lark:ou_admin,console:admin' } });
  await t.bot.start({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${t.bot.port()}`;
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

describe('the command parser', () => {
  const declared = ['标题', '来文单位', '文号', '办理时限'];
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.constantFrom('标题', '期限', '=', '：', '“', '”', '"', '\n', ' ', '\u3000'), { maxLength: 20 }), (text, bits) => {
        const input = text + bits.join('') + text;
        const r = parseArguments(input, declared, ['标题'], (k) => canonicalField(declared, k));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  // Messages shaped like registrations — the command's fields under their names and aliases, each
  // separator staff type, mostly good values with bad ones among them — so that validation, not
  // the tokenizer, is what decides.
  const BAD = fc.oneof(fc.constantFrom('', '急', '秘密', '绝密', '2026-02-30', '13月40日', '不存在的单位', '"', '='), fc.string({ maxLength: 12 }));
  const value = (...good: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, { arbitrary: BAD, weight: 1 });
  const field = (names: string[], values: fc.Arbitrary<string>, missing: number) =>
    fc.option(fc.tuple(fc.constantFrom(...names), fc.constantFrom('=', '：', ':', '＝'), values).map(([k, sep, v]) => `${k}${sep}${v}`), { nil: undefined, freq: missing });
  const REGISTRATION = fc
    .tuple(
      fc.tuple(
        field(['标题', '题目'], value('关于做好防汛工作的通知', '“关于 防汛 的通知”', '关于“十五五”规划的意见'), 10),
        field(['来文单位'], value('市政府办公室', '省政府'), 10),
        field(['文号', '发文字号'], value('市政办发〔2026〕12号', '省政发[2026]3号'), 2),
        field(['紧急程度'], value('特急', '加急', '平件'), 2),
        field(['密级'], value('无'), 2),
        field(['收文日期'], value('2026-11-20', '11月24日'), 2),
        field(['办理时限', '时限'], value('2026-12-01', '5个工作日', '明天'), 2),
        field(['承办单位'], value('住建局', '县住房和城乡建设局'), 2),
        field(['备注', '颜色'], value('请阅'), 2),
      ),
      fc.constantFrom(' ', '\n'),
    )
    .map(([fields, join]) => fields.filter((f) => f !== undefined).join(join));

  it('writes nothing when a registration does not parse or validate', async () => {
    await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局');
    const state = async () => ({
      documents: await count('SELECT count(*) FROM documents'),
      audit: await count('SELECT count(*) FROM audit_log'),
      counters: await t.rows('SELECT * FROM counters ORDER BY kind, year'),
    });
    const outcomes = { registered: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(REGISTRATION, async (fields) => {
        const before = await state();
        const reply = await t.say(`收文登记 ${fields}`);
        const after = await state();
        expect(reply).not.toBe('');
        if (after.documents > before.documents) {
          outcomes.registered++;
          expect(after.documents).toBe(before.documents + 1);
          expect(reply).toContain('已登记收文');
        } else {
          outcomes.refused++;
          expect(reply).not.toContain('已登记收文');
          expect(after).toEqual(before); // no audit row, no number spent
        }
      }),
      { numRuns: 200 },
    );
    // both ways taken often: the property says something about validation, not only about junk
    expect(outcomes.registered).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  });
});

describe('webhook bodies', () => {
  const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}/webhook/lark/event`, { method: 'POST', body, headers });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"encrypt":"abc'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"encrypt"'],
    ['deeply nested', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['__proto__ and constructor keys', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"encrypt":1}'],
  ])('answers %s with a 4xx and stores nothing', async (_what, body) => {
    const res = await post(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await count('SELECT count(*) FROM inbox')).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers invalid UTF-8, a huge body and signed-but-hostile events with a 4xx', async () => {
    expect((await post(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: 'A'.repeat(2_000_000) }))).status).toBe(401); // unsigned: refused unread
    expect((await post(JSON.stringify({ encrypt: 'A'.repeat(2_000_000) }), { 'content-type': 'application/json', 'x-lark-signature': 'f'.repeat(64) })).status).toBe(413);
    const nested = signedRequest(KEY, JSON.parse(`{"schema":"2.0","header":{"event_id":"x","event_type":"im.message.receive_v1"},"event":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`), { at: t.clock.now() });
    expect((await post(nested.body, nested.headers)).status).toBe(400);
    const proto = signedRequest(KEY, JSON.parse('{"schema":"2.0","header":{"event_id":"y","event_type":"im.message.receive_v1","__proto__":{"polluted":1}},"event":{"__proto__":{"message":1}}}'), { at: t.clock.now() });
    expect((await post(proto.body, proto.headers)).status).toBe(400);
    expect(await count('SELECT count(*) FROM inbox')).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('bodies nothing vouches for', () => {
  // Only a URL challenge comes unsigned, and it is a few hundred bytes: anything larger is refused
  // on its size and headers, before a byte of it is parsed or decrypted.
  it('refuses an unsigned body larger than a challenge with 401, unparsed', async () => {
    const flat = `[${'0,'.repeat(300_000)}0]`;
    const res = await fetch(`${base}/webhook/lark/event`, { method: 'POST', body: flat, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'missing signature' });
    const card = await fetch(`${base}/webhook/lark/card`, { method: 'POST', body: JSON.stringify({ encrypt: 'A'.repeat(600_000) }), headers: { 'content-type': 'application/json' } });
    expect(card.status).toBe(401);
    expect(await card.json()).toEqual({ error: 'missing signature' });
    expect(await count('SELECT count(*) FROM inbox')).toBe(0);
  });
});

describe('markup in stored text', () => {
  it('is stored verbatim but sent as plain text: no mention of everyone, no link, no injected button', async () => {
    const bodies: { msg_type: string; content: string }[] = [];
    nock('https://open.feishu.cn').persist().post(/\/open-apis\/im\/v1\/messages/, (b) => (bodies.push(b), true)).reply(200, { code: 0, data: {} });
    const title = '<at user_id="all"></at>[点此](https://evil.example){"tag":"button","value":{"command":"撤销授权 lark:ou_admin"}}';
    const event = signedRequest(KEY, messageEvent({ text: `收文登记 标题=“${title}” 来文单位=“<at user_id="ou_x">某人</at>”`, messageId: 'om_evil' }), { at: t.clock.now() });
    expect((await fetch(`${base}/webhook/lark/event`, { method: 'POST', ...event })).status).toBe(200);
    await vi.waitFor(() => expect(bodies).toHaveLength(1), { timeout: 5000 });
    expect(await t.column('SELECT title FROM documents')).toEqual([title]);
    const card = JSON.parse(bodies[0]!.content);
    const texts: { tag: string }[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.content === 'string' && typeof o.tag === 'string') texts.push(o as { tag: string });
        Object.values(o).forEach(walk);
      }
    };
    walk(card);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((x) => x.tag === 'plain_text')).toBe(true); // nothing Lark would read as markup
    const buttons = JSON.stringify(card.body.elements.filter((e: { tag: string }) => e.tag === 'column_set'));
    expect(buttons).toContain('公文办结 SW-2026-0001');
    expect(buttons).not.toContain('撤销授权');
  });
});
