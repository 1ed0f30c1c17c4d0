// Cards kept true (issue 20, part 2): every Feishu message showing an item is patched when the item
// changes, through the real webhook server, the real SDK and the outbox; Feishu's HTTP API faked
// with nock, answering each message with an id of its own.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { robotMessage, signedHeaders } from '../fixtures/dingtalk';
import { cardEvent, formSubmitEvent, messageEvent, type FormCard } from '../fixtures/lark';
import { LARK, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import { makeBot, type TestBot } from '../helpers';

const DAY = 86_400_000;
const REGISTER = '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室';
const AT_BOT = [{ key: '@_user_1', openId: 'ou_bot', name: '政务助手' }];

interface LarkCard {
  header: { title: { content: string } };
}
interface Shown {
  id: string;
  card: LarkCard;
}

const title = (c: LarkCard) => c.header.title.content;
const body = (c: LarkCard) => JSON.stringify(c);
/** The labels of a card's buttons, wherever its layout puts them. */
function buttons(c: unknown): string[] {
  if (Array.isArray(c)) return c.flatMap(buttons);
  if (typeof c !== 'object' || c === null) return [];
  const node = c as { tag?: string; text?: { content: string } };
  return node.tag === 'button' ? [node.text!.content] : Object.values(node).flatMap(buttons);
}

/**
 * Feishu's message API: a reply is numbered after the message it answers (om_x → om_x_reply), a
 * new message after its addressee (om_to_ou_li_3). Replies and patches are answered from
 * `replyAnswers` and `patchAnswers` while they hold any, and accepted after that; with `hold.next`
 * set, the next reply is taken and answered only once `hold.release` is called.
 */
function fakeFeishu() {
  const created: Shown[] = [];
  const patches: Shown[] = [];
  const patchAnswers: [number, object, Record<string, string>?][] = [];
  const replyAnswers: [number, object][] = [];
  const hold: { next: boolean; release?: () => void } = { next: false };
  let patchCalls = 0;
  let n = 0;
  const shown = (id: string, b: unknown): Shown => ({ id, card: JSON.parse((b as { content: string }).content) as LarkCard });
  nock(LARK)
    .persist()
    .post(/^\/open-apis\/im\/v1\/messages\/om_\w+\/reply$/)
    .reply((uri, b, answer) => {
      const refusal = replyAnswers.shift();
      if (refusal) return answer(null, refusal);
      const id = `${uri.split('/')[5]}_reply`;
      created.push(shown(id, b));
      const accept = () => answer(null, [200, { code: 0, msg: 'success', data: { message_id: id } }]);
      if (!hold.next) return accept();
      hold.next = false;
      hold.release = accept;
    });
  nock(LARK)
    .persist()
    .post('/open-apis/im/v1/messages')
    .query(true)
    .reply((_uri, b) => {
      const id = `om_to_${(b as { receive_id: string }).receive_id}_${++n}`;
      created.push(shown(id, b));
      return [200, { code: 0, msg: 'success', data: { message_id: id } }];
    });
  nock(LARK)
    .persist()
    .patch(/^\/open-apis\/im\/v1\/messages\/om_\w+$/)
    .reply((uri, b) => {
      patchCalls++;
      const answer = patchAnswers.shift();
      if (answer) return answer;
      patches.push(shown(uri.split('/')[5]!, b));
      return [200, { code: 0, msg: 'success', data: {} }];
    });
  nock(LARK).persist().get('/open-apis/im/v1/chats/oc_group').reply(200, { code: 0, data: { chat_mode: 'group' } });
  return { created, patches, patchAnswers, replyAnswers, hold, patchCalls: () => patchCalls };
}

describe('Feishu', () => {
  let t: TestBot;
  let feishu: ReturnType<typeof fakeFeishu>;
  let seq = 0;

  onlyLoopback();
  beforeEach(async () => {
    t = await startLarkBot();
    feishu = fakeFeishu();
  });
  afterEach(async () => {
    await t.close();
    nock.cleanAll();
  });

  /** A message is recorded as showing its item once the row that sent it is marked sent. */
  async function recorded(id: string): Promise<void> {
    await vi.waitFor(async () => expect(await t.scalar('SELECT count(*) FROM sent_messages WHERE message_id = ?', id)).toBe(1), { timeout: 5000 });
  }

  /** Sends a command as someone, in a private chat or (mentioning the bot) the group, and returns the reply Feishu took, once recorded. */
  async function say(text: string, o: { openId?: string; group?: boolean } = {}): Promise<Shown> {
    const messageId = `om_m${++seq}`;
    const event = o.group
      ? messageEvent({ text: `@_user_1 ${text}`, messageId, openId: o.openId, chatType: 'group', chatId: 'oc_group', mentions: AT_BOT })
      : messageEvent({ text, messageId, openId: o.openId });
    expect((await postTo(t, '/webhook/lark/event', signedAt(t, event))).status).toBe(200);
    const reply = await vi.waitFor(() => feishu.created.find((m) => m.id === `${messageId}_reply`) ?? Promise.reject(new Error(`no reply to ${text}`)), { timeout: 5000 });
    await recorded(reply.id);
    return reply;
  }

  /** The last patch of a message, once it has had `count` of them. */
  async function patched(id: string, count = 1): Promise<LarkCard> {
    return vi.waitFor(
      () => {
        const of = feishu.patches.filter((p) => p.id === id);
        expect(of.length).toBeGreaterThanOrEqual(count);
        return of.at(-1)!.card;
      },
      { timeout: 5000 },
    );
  }

  /** The message sent to a person (not as a reply), once recorded. */
  async function sentTo(openId: string, titled: string): Promise<Shown> {
    const m = await vi.waitFor(() => feishu.created.find((c) => c.id.startsWith(`om_to_${openId}_`) && title(c.card).startsWith(titled)) ?? Promise.reject(new Error(`nothing to ${openId}`)), { timeout: 5000 });
    await recorded(m.id);
    return m;
  }

  const click = (command: string, messageId: string, chatId: string) => postTo(t, '/webhook/lark/card', signedAt(t, cardEvent({ command, messageId, chatId })));

  describe('a 收文 closed', () => {
    it.each([
      ['in a private chat', 'typed', false],
      ['in a private chat', 'clicked', false],
      ['in a group chat', 'typed', true],
      ['in a group chat', 'clicked', true],
    ])('%s, by a %s 公文办结: its registration card is patched to the closed card, without the 办结 button', async (_where, how, group) => {
      if (group) await say('本群启用 全部', { group });
      const registered = await say(REGISTER, { group });
      expect(title(registered.card)).toBe('已登记收文：SW-2026-0001');
      expect(buttons(registered.card)).toEqual(['办结']);

      if (how === 'typed') await say('公文办结 SW-2026-0001', { group });
      else expect((await click('公文办结 SW-2026-0001', registered.id, group ? 'oc_group' : 'oc_p2p')).status).toBe(200);

      const now = await patched(registered.id);
      expect(title(now)).toBe('SW-2026-0001');
      expect(body(now)).toContain('状态：已办结');
      expect(buttons(now)).toEqual([]);
      expect(feishu.patches.filter((p) => p.id === registered.id)).toHaveLength(1);
    });
  });

  it('keeps a 督办 item true on every card about it: the unit’s assignment notice and the leader’s extension request, on feedback, extension decision and close', async () => {
    await say('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=lark:ou_li');
    await say('授权 lark:ou_wang 角色=领导');
    const created = await say('督办新建 标题=推进老旧小区改造 批示领导=lark:ou_wang 牵头单位=县住建局 时限=2026-12-31');
    expect(buttons(created.card)).toEqual(['办结']);
    const notice = await sentTo('ou_li', '新督办件');
    expect(buttons(notice.card)).toEqual(['查看']);

    await say('督办反馈 DB-2026-0001 已召开专题会议', { openId: 'ou_li' });
    const fed = await patched(notice.id);
    expect(title(fed)).toBe('DB-2026-0001');
    expect(body(fed)).toContain('状态：办理中');
    expect(body(fed)).toContain('已召开专题会议');
    // the notice offered only 查看: it keeps it, and gains no 办结 the contact could not press
    expect(buttons(fed)).toEqual(['查看']);
    expect(buttons(await patched(created.id))).toEqual(['办结']);

    await say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=需要协调资金', { openId: 'ou_li' });
    const request = await sentTo('ou_wang', '延期申请');
    expect(buttons(request.card)).toEqual(['批准', '驳回']);
    expect(body(await patched(notice.id, 2))).toContain('待审批');

    await say('督办批准 DB-2026-0001', { openId: 'ou_wang' });
    const decided = await patched(request.id);
    expect(body(decided)).toContain('2027-01-15');
    expect(body(decided)).toContain('已批准');
    // nothing is left to approve: the leader's buttons are gone
    expect(buttons(decided)).toEqual([]);
    expect(body(await patched(notice.id, 3))).toContain('已批准');

    await say('督办办结 DB-2026-0001 结果=改造方案已经常务会议审议通过');
    const closed = await patched(created.id, 4);
    expect(body(closed)).toContain('状态：已办结');
    expect(buttons(closed)).toEqual([]);
    const noticeClosed = await patched(notice.id, 4);
    expect(body(noticeClosed)).toContain('状态：已办结');
    expect(buttons(noticeClosed)).toEqual(['查看']);
    expect(body(await patched(request.id, 2))).toContain('状态：已办结');
  });

  describe('a message a click was answered in place with a card about an item', () => {
    it('a form submitted: the registration card Feishu put in its place is patched when the 收文 is closed', async () => {
      const form = await say('收文登记');
      const submitted = await postTo(t, '/webhook/lark/card', signedAt(t, formSubmitEvent(form.card as unknown as FormCard, { 标题: '关于做好防汛工作的通知', 来文单位: '市政府办公室' }, { messageId: form.id })));
      const answer = (await submitted.json()) as { card: { data: LarkCard } };
      expect(title(answer.card.data)).toBe('已登记收文：SW-2026-0001');
      expect(buttons(answer.card.data)).toEqual(['办结']);

      await say('公文办结 SW-2026-0001');
      const now = await patched(form.id);
      expect(title(now)).toBe('SW-2026-0001');
      expect(body(now)).toContain('状态：已办结');
      expect(buttons(now)).toEqual([]);
    });

    it('a list’s 查看 clicked: the item card shown instead is patched; a message answered in words only keeps what it showed', async () => {
      await say(REGISTER);
      await say('收文登记 标题=关于开展安全生产检查的通知 来文单位=市应急管理局');
      const list = await say('公文查询 关于');
      expect(buttons(list.card).sort()).toEqual(['查看 SW-2026-0001', '查看 SW-2026-0002']);
      const viewed = await click('公文查询 SW-2026-0002', list.id, 'oc_p2p');
      expect(title(((await viewed.json()) as { card: { data: LarkCard } }).card.data)).toBe('SW-2026-0002');
      // a click answered in words leaves the message the item card it now is
      expect((await click('公文查询 不存在的公文', list.id, 'oc_p2p')).status).toBe(200);

      await say('公文办结 SW-2026-0002');
      const now = await patched(list.id);
      expect(title(now)).toBe('SW-2026-0002');
      expect(body(now)).toContain('状态：已办结');
      expect(await t.scalar('SELECT subject FROM sent_messages WHERE message_id = ?', list.id)).toBe('document:SW-2026-0002');
    });
  });

  describe('a card about an item not yet delivered when the item changes', () => {
    it('waiting for its retry after a 500: goes out as the item now stands', async () => {
      feishu.replyAnswers.push([500, { code: 1, msg: 'internal error' }]);
      await postTo(t, '/webhook/lark/event', signedAt(t, messageEvent({ text: REGISTER, messageId: 'om_first' })));
      await vi.waitFor(async () => expect(await t.scalar("SELECT last_error FROM outbox WHERE dedupe_key LIKE 'reply:%'")).toContain('500'), { timeout: 5000 });
      await say('公文办结 SW-2026-0001').catch(() => undefined);
      t.clock.advance(2000);
      t.bot.dispatcher.kick();
      const sent = await vi.waitFor(() => feishu.created.find((m) => m.id === 'om_first_reply') ?? Promise.reject(new Error('not retried')), { timeout: 5000 });
      expect(title(sent.card)).toBe('SW-2026-0001');
      expect(body(sent.card)).toContain('状态：已办结');
      expect(buttons(sent.card)).toEqual([]);
    });

    it('on its way as the item changes: patched once Feishu has taken it', async () => {
      feishu.hold.next = true;
      await postTo(t, '/webhook/lark/event', signedAt(t, messageEvent({ text: REGISTER, messageId: 'om_first' })));
      const sent = await vi.waitFor(() => feishu.created.find((m) => m.id === 'om_first_reply') ?? Promise.reject(new Error('not sent')), { timeout: 5000 });
      expect(buttons(sent.card)).toEqual(['办结']);
      await postTo(t, '/webhook/lark/event', signedAt(t, messageEvent({ text: '公文办结 SW-2026-0001', messageId: 'om_close' })));
      await vi.waitFor(async () => expect(await t.scalar("SELECT status FROM documents WHERE reg_no = 'SW-2026-0001'")).toBe('closed'), { timeout: 5000 });
      feishu.hold.release!();
      const now = await patched('om_first_reply');
      expect(body(now)).toContain('状态：已办结');
      expect(buttons(now)).toEqual([]);
    });
  });

  it('shows a working-day deadline the calendar moved', async () => {
    const registered = await say(`${REGISTER} 办理时限=5个工作日`);
    expect(body(registered.card)).toContain('2026-12-02');
    await say('节假日设置 2026-11-27 休');
    const moved = await patched(registered.id);
    expect(body(moved)).toContain('办理时限：2026-12-03');
    expect(buttons(moved)).toEqual(['办结']);
  });

  it('leaves a message older than Feishu’s 14-day update window alone', async () => {
    const old = await say(REGISTER);
    t.clock.advance(DAY);
    const younger = await say('收文登记 标题=关于开展安全生产检查的通知 来文单位=市应急管理局');
    t.clock.advance(13 * DAY + 60_000);
    await say('公文办结 SW-2026-0001');
    await say('公文办结 SW-2026-0002');
    expect(body(await patched(younger.id))).toContain('已办结');
    expect(feishu.patches.map((p) => p.id)).not.toContain(old.id);
    expect(await t.scalar(`SELECT count(*) FROM outbox WHERE target LIKE '%${old.id}%'`)).toBe(0);
  });

  it('forgets which message showed what after 30 days, keeping younger ones', async () => {
    await say(REGISTER);
    t.clock.advance(DAY);
    const younger = await say('收文登记 标题=关于开展安全生产检查的通知 来文单位=市应急管理局');
    t.clock.advance(29 * DAY + 60_000);
    expect(await t.bot.services.cardUpdates.purge()).toBe(1);
    expect(await t.column('SELECT message_id FROM sent_messages')).toEqual([younger.id]);
  });

  it.each([
    [230031, 'Message has expired when updating message, ext=Message can only be updated within fourteen days.'],
    [230011, 'The message is recalled.'],
  ])('gives up at once when Feishu answers a patch with %i (cannot be updated)', async (code, msg) => {
    const registered = await say(REGISTER);
    feishu.patchAnswers.push([400, { code, msg }]);
    await say('公文办结 SW-2026-0001');
    const update = `SELECT status || ':' || attempts FROM outbox WHERE dedupe_key LIKE 'card-update:lark:${registered.id}:%'`;
    await vi.waitFor(async () => expect(await t.scalar(update)).toBe('failed:1'), { timeout: 5000 });
    expect(await t.scalar(`SELECT last_error FROM outbox WHERE dedupe_key LIKE 'card-update:%'`)).toContain(String(code));
    t.clock.advance(DAY);
    t.bot.dispatcher.kick();
    await t.bot.dispatcher.flush();
    expect(feishu.patchCalls()).toBe(1);
    expect(await t.scalar(update)).toBe('failed:1');
  });

  it('tries a patch again after a 429, as long as Feishu says to wait', async () => {
    const registered = await say(REGISTER);
    feishu.patchAnswers.push([429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '3' }]);
    await say('公文办结 SW-2026-0001');
    const update = `SELECT status || ':' || attempts FROM outbox WHERE dedupe_key LIKE 'card-update:lark:${registered.id}:%'`;
    await vi.waitFor(async () => expect(await t.scalar(update)).toBe('pending:1'), { timeout: 5000 });
    t.clock.advance(3000);
    t.bot.dispatcher.kick();
    expect(buttons(await patched(registered.id))).toEqual([]);
    await vi.waitFor(async () => expect(await t.scalar(update)).toBe('sent:2'), { timeout: 5000 });
  });

  it('shows the last of two quick changes, in order, though the first patch met a 500', async () => {
    await say('单位新增 名称=县住房和城乡建设局 简称=县住建局');
    const registered = await say(REGISTER);
    feishu.patchAnswers.push([500, { code: 1, msg: 'internal error' }]);
    await say('公文分办 SW-2026-0001 承办单位=县住建局');
    await vi.waitFor(async () => expect(await t.scalar("SELECT last_error FROM outbox WHERE dedupe_key LIKE 'card-update:%'")).toContain('500'), { timeout: 5000 });
    // the second change is queued behind the first, which waits for its retry
    await say('公文办结 SW-2026-0001');
    expect(feishu.patches.filter((p) => p.id === registered.id)).toHaveLength(0);
    t.clock.advance(2000);
    t.bot.dispatcher.kick();
    const last = await patched(registered.id, 2);
    const [first] = feishu.patches.filter((p) => p.id === registered.id);
    expect(body(first!.card)).toContain('承办单位：县住房和城乡建设局');
    expect(buttons(first!.card)).toEqual(['办结']);
    expect(body(last)).toContain('状态：已办结');
    expect(buttons(last)).toEqual([]);
  });
});

describe('DingTalk', () => {
  const API = 'https://api.dingtalk.com';
  const OAPI = 'https://oapi.dingtalk.com';
  const SECRET = 'dingtalk-app-secret-value';
  let t: TestBot;

  onlyLoopback();
  beforeEach(async () => {
    nock(API).persist().post('/v1.0/oauth2/accessToken').reply(200, { accessToken: 'ding-access-token', expireIn: 7200 });
    nock(OAPI).persist().post('/robot/sendBySession').query(true).reply(200, { errcode: 0, errmsg: 'ok' });
    t = await makeBot({ env: { DINGTALK_APP_KEY: 'dingkey', DINGTALK_APP_SECRET: SECRET, DINGTALK_ROBOT_CODE: 'dingrobot', ADMIN_IDS: 'dingtalk:manager1' } });
    await t.bot.start({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('updates nothing: a robot’s messages cannot be, and the sender refuses an update rather than posting anew', async () => {
    const post = async (text: string) => {
      t.clock.advance(1);
      const res = await fetch(`http://127.0.0.1:${t.bot.port()}/webhook/dingtalk`, { method: 'POST', body: JSON.stringify(robotMessage({ text, createAt: t.clock.now() })), headers: signedHeaders(SECRET, t.clock.now()) });
      expect(res.status).toBe(200);
    };
    await post(REGISTER);
    await post('公文办结 SW-2026-0001');
    await vi.waitFor(async () => expect(await t.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")).toBe(2), { timeout: 5000 });
    expect(await t.scalar("SELECT status FROM documents WHERE reg_no = 'SW-2026-0001'")).toBe('closed');
    expect(await t.scalar('SELECT count(*) FROM sent_messages')).toBe(0);
    expect(await t.scalar(`SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'card-update:%'`)).toBe(0);

    await t.bot.db.tx(() => t.bot.services.outbox.enqueue({ dedupeKey: 'card-update:test', platform: 'dingtalk', target: { kind: 'update', messageId: 'msg1' }, reply: { card: { title: 'SW-2026-0001', tone: 'success' } } }));
    await vi.waitFor(async () => expect(await t.scalar("SELECT status || ':' || attempts FROM outbox WHERE dedupe_key = 'card-update:test'")).toBe('failed:1'), { timeout: 5000 });
    expect(await t.scalar("SELECT last_error FROM outbox WHERE dedupe_key = 'card-update:test'")).toContain('cannot be updated');
  });
});
