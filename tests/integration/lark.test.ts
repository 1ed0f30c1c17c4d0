// The Feishu/Lark platform end to end: the real Express server on port 0, the real SDK, and only
// Lark's HTTP API faked with nock.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { botAddedEvent, cardEvent, menuEvent, messageEvent, signedRequest } from '../fixtures/lark';
import { ENV, expectReply, expectSent, KEY, LARK, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { testDatabase, type TestDatabase } from '../test-db';

let t: TestBot;

onlyLoopback();

const startBot = startLarkBot;
const post = (path: string, request: { body: string; headers: Record<string, string> }) => postTo(t, path, request);
const signed = (payload: unknown) => signedAt(t, payload);
const replyText = (body: Record<string, string>) => body.content!;

beforeEach(async () => {
  t = await startBot();
});
const cleanups: (() => void)[] = [];

/**
 * A database that outlives the bots made on it, for a restart, dropped when the test is done:
 * makeBot gives each bot a database of its own (on PostgreSQL a new one, which this one then
 * stands in for through `env`; on SQLite the folder's file, the same either way).
 */
async function lasting(dir: string): Promise<TestDatabase> {
  const database = await testDatabase(dir);
  onTestFinished(() => database.drop());
  return database;
}
afterEach(async () => {
  await t.close();
  cleanups.splice(0).forEach((c) => c());
  nock.cleanAll();
});

describe('URL verification', () => {
  it('answers an encrypted challenge with the plain challenge, unsigned as Lark sends it', async () => {
    const res = await post('/webhook/lark/event', signedRequest(KEY, { challenge: 'c-123', token: 'vt', type: 'url_verification' }, { signature: null }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });

  it('answers a plain challenge when only a verification token is configured, and refuses a wrong token', async () => {
    await t.close();
    t = await startBot({ ...ENV, LARK_ENCRYPT_KEY: '', LARK_VERIFICATION_TOKEN: 'vt' });
    const json = (o: unknown) => ({ body: JSON.stringify(o), headers: { 'content-type': 'application/json' } });
    const ok = await post('/webhook/lark/event', json({ challenge: 'c-9', token: 'vt', type: 'url_verification' }));
    expect(await ok.json()).toEqual({ challenge: 'c-9' });
    expect((await post('/webhook/lark/event', json({ challenge: 'c-9', token: 'forged', type: 'url_verification' }))).status).toBe(401);
    const forged = await post('/webhook/lark/event', json(messageEvent({ text: '收文登记 标题=甲 来文单位=乙', token: 'forged' })));
    expect(forged.status).toBe(401);
    // a body that does not even hold the token is refused before it is parsed
    const junk = await post('/webhook/lark/event', { body: `[${'0,'.repeat(300_000)}0]`, headers: { 'content-type': 'application/json' } });
    expect(junk.status).toBe(401);
    expect(await junk.json()).toEqual({ error: 'wrong verification token' });
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
  });
});

describe('signatures and bad bodies', () => {
  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const event = messageEvent({ text: '收文登记 标题=甲 来文单位=乙' });
    expect((await post('/webhook/lark/event', signedRequest(KEY, event, { signature: 'f'.repeat(64), at: t.clock.now() }))).status).toBe(401);
    expect((await post('/webhook/lark/event', signedRequest(KEY, event, { signature: null, at: t.clock.now() }))).status).toBe(401);
    // a body signed with another key does not decrypt either
    expect((await post('/webhook/lark/event', signedRequest('other-key', event, { at: t.clock.now() }))).status).toBe(401);
    // a plain body while an Encrypt Key is configured is a forgery
    expect((await post('/webhook/lark/event', { body: JSON.stringify(event), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
  });

  it('refuses a signed request older than the time event ids are remembered, a replay nothing else would catch', async () => {
    const hour = 3_600_000;
    const old = messageEvent({ text: '我是谁', messageId: 'om_old' });
    // the inbox remembers event ids for INBOX_RETENTION_HOURS (72): a request signed earlier is refused
    expect((await post('/webhook/lark/event', signedRequest(KEY, old, { at: t.clock.now() - 72 * hour - 1000 }))).status).toBe(401);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
    // Lark's own retries come within 7.1 hours
    const retried = messageEvent({ text: '我是谁', messageId: 'om_retried' });
    expect((await post('/webhook/lark/event', signedRequest(KEY, retried, { at: t.clock.now() - 7 * hour }))).status).toBe(200);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(1);
  });

  it('answers malformed JSON with 400, an oversize body with 413, and an unknown event type with 200', async () => {
    expect((await post('/webhook/lark/event', { body: '{"encrypt":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    // claiming a signature, so that it is read at all: unsigned, its length alone refuses it (401)
    const huge = { body: JSON.stringify({ encrypt: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json', 'x-lark-signature': 'f'.repeat(64) } };
    expect((await post('/webhook/lark/event', huge)).status).toBe(413);
    const other = await post('/webhook/lark/event', signed({ schema: '2.0', header: { event_id: 'e-x', event_type: 'im.chat.updated_v1' }, event: {} }));
    expect(other.status).toBe(200);
    const malformed = await post('/webhook/lark/event', signed({ schema: '2.0', header: { event_id: 'e-y', event_type: 'im.message.receive_v1' }, event: { message: 42 } }));
    expect(malformed.status).toBe(400);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);
  });
});

describe('messages', () => {
  it('replies to 帮助 in a private chat as a reply to that message, with a uuid', async () => {
    const { scope, bodies } = expectReply('om_help');
    const res = await post('/webhook/lark/event', signed(messageEvent({ text: '帮助', messageId: 'om_help' })));
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(bodies[0]!.msg_type).toBe('interactive');
    expect(replyText(bodies[0]!)).toContain('收文登记');
    expect(bodies[0]!.uuid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('carries out an event delivered three times once, with one reply', async () => {
    const { scope } = expectReply('om_dup');
    const event = messageEvent({ text: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', messageId: 'om_dup' });
    for (let i = 0; i < 3; i++) expect((await post('/webhook/lark/event', signed(event))).status).toBe(200);
    // Lark may also push the same message under a new event id
    expect((await post('/webhook/lark/event', signed({ ...event, header: { ...event.header, event_id: 'ev_other' } }))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    // every delivery was stored before its 200: once the inbox has nothing left to carry out,
    // a second registration could only be here already
    await vi.waitFor(async () => expect(await t.bot.services.inbox.nextDueAt()).toBeNull());
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(1);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(1);
  });

  it('ignores a group message that does not mention the bot, and answers one that does, without the mention', async () => {
    const ignored = await post('/webhook/lark/event', signed(messageEvent({ text: '大家好', chatType: 'group', chatId: 'oc_group' })));
    expect(ignored.status).toBe(200);
    const withOther = messageEvent({ text: '@_user_1 看一下', chatType: 'group', chatId: 'oc_group', mentions: [{ key: '@_user_1', openId: 'ou_zhang', name: '张三' }] });
    await post('/webhook/lark/event', signed(withOther));
    await vi.waitFor(async () => expect(await t.bot.services.inbox.nextDueAt()).toBeNull());
    expect(await t.scalar('SELECT count(*) FROM inbox')).toBe(0);

    const atBot = [{ key: '@_user_1', openId: 'ou_bot', name: '政务助手' }];
    const enabled = expectReply('om_enable');
    await post('/webhook/lark/event', signed(messageEvent({ text: '@_user_1 本群启用 全部', chatType: 'group', chatId: 'oc_group', messageId: 'om_enable', mentions: atBot })));
    await vi.waitFor(() => expect(enabled.scope.isDone()).toBe(true), { timeout: 5000 });
    expect(replyText(enabled.bodies[0]!)).toContain('公文、建议提案、督办、统计');

    const { scope, bodies } = expectReply('om_group');
    const event = messageEvent({ text: '@_user_1 我是谁', chatType: 'group', chatId: 'oc_group', messageId: 'om_group', mentions: atBot });
    await post('/webhook/lark/event', signed(event));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(replyText(bodies[0]!)).toContain('ou_admin');
    expect(replyText(bodies[0]!)).toContain('管理员');
  });

  it('keeps other people’s mentions as people, so 授权 @某人 works', async () => {
    const { scope } = expectReply('om_grant');
    const event = messageEvent({
      text: '@_user_1 授权 @_user_2 角色=员工',
      chatType: 'group',
      chatId: 'oc_group',
      messageId: 'om_grant',
      mentions: [
        { key: '@_user_1', openId: 'ou_bot', name: '政务助手' },
        { key: '@_user_2', openId: 'ou_zhang', name: '张三' },
      ],
    });
    await post('/webhook/lark/event', signed(event));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.column("SELECT p.role || ':' || p.name FROM people p JOIN identities i ON i.person_id = p.id WHERE i.user_id = 'ou_zhang'")).toEqual(['staff:张三']);
  });

  it('keeps a known sender’s union_id and user_id beside the open_id, and takes new ones when Feishu sends them', async () => {
    const ids = () => t.rows("SELECT union_id, tenant_user_id FROM identities WHERE platform = 'lark' AND user_id = 'ou_admin'");
    expect(await ids()).toEqual([{ union_id: null, tenant_user_id: null }]);
    for (const [messageId, unionId, tenantUserId] of [['om_ids1', 'on_admin', 'u_wang'], ['om_ids2', 'on_admin', 'u_wang2']] as const) {
      const { scope } = expectReply(messageId);
      expect((await post('/webhook/lark/event', signed(messageEvent({ text: '我是谁', messageId, unionId, tenantUserId })))).status).toBe(200);
      await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
      expect(await ids()).toEqual([{ union_id: unionId, tenant_user_id: tenantUserId }]);
    }
    // a message without them changes nothing
    const { scope } = expectReply('om_ids3');
    expect((await post('/webhook/lark/event', signed(messageEvent({ text: '我是谁', messageId: 'om_ids3' })))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await ids()).toEqual([{ union_id: 'on_admin', tenant_user_id: 'u_wang2' }]);
  });

  it('answers a message it cannot take politely (a sticker)', async () => {
    const { scope, bodies } = expectReply('om_img');
    await post('/webhook/lark/event', signed(messageEvent({ messageType: 'sticker', content: JSON.stringify({ file_key: 'sticker_1' }), messageId: 'om_img' })));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(bodies[0]!.msg_type).toBe('post');
    expect(replyText(bodies[0]!)).toContain('暂时只能处理文字消息');
  });
});

describe('the bot menu', () => {
  it('sends the command an item’s event key stands for, as the person who chose it, and answers them privately, once however often it is pushed', async () => {
    const { scope, bodies } = expectSent('open_id', 'ou_admin');
    const event = menuEvent({ eventKey: 'todo' });
    for (let i = 0; i < 2; i++) expect((await post('/webhook/lark/event', signed(event))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    await vi.waitFor(async () => expect(await t.bot.services.inbox.nextDueAt()).toBeNull());
    expect(bodies).toHaveLength(1);
    // 待办公文's answer to an admin (ADMIN_IDS) of an office with nothing registered yet
    expect(replyText(bodies[0]!)).toContain('没有未办结的公文');
    expect(await t.column("SELECT payload FROM inbox WHERE platform = 'lark'").then((p) => p.length)).toBe(1);
  });

  it('answers a key LARK_MENU does not know with the greeting that points to 帮助', async () => {
    const { scope, bodies } = expectSent('open_id', 'ou_someone');
    expect((await post('/webhook/lark/event', signed(menuEvent({ eventKey: 'no-such-item', openId: 'ou_someone' })))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(JSON.parse(replyText(bodies[0]!)).zh_cn.content).toEqual([[{ tag: 'text', text: '您好！发送「帮助」查看可用命令。' }]]);
  });

  it('answers a malformed menu event with 400 and stores nothing', async () => {
    const bad = menuEvent({ eventKey: 'todo' });
    (bad.event.operator as { operator_id?: unknown }).operator_id = {};
    expect((await post('/webhook/lark/event', signed(bad))).status).toBe(400);
    expect(await t.scalar("SELECT count(*) FROM inbox WHERE platform = 'lark'")).toBe(0);
  });
});

describe('the bot added to a group', () => {
  it('shows an admin who added it the group’s settings there, with a button per command group to enable, once however often it is pushed', async () => {
    const { scope, bodies } = expectSent('chat_id', 'oc_new');
    const event = botAddedEvent({ chatId: 'oc_new', openId: 'ou_admin' });
    for (let i = 0; i < 2; i++) expect((await post('/webhook/lark/event', signed(event))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    await vi.waitFor(async () => expect(await t.bot.services.inbox.nextDueAt()).toBeNull());
    expect(bodies).toHaveLength(1);
    const card = replyText(bodies[0]!);
    expect(card).toContain('本群设置');
    for (const command of ['本群启用 公文', '本群启用 建议提案', '本群启用 督办', '本群启用 统计', '本群启用 全部']) expect(card).toContain(command);
    expect(await t.rows("SELECT title, type FROM chats WHERE chat_id = 'oc_new'")).toEqual([{ title: '防汛工作群', type: 'group' }]);
  });

  it('tells anyone else who added it that the group is closed and to ask an admin, with no button', async () => {
    const { scope, bodies } = expectSent('chat_id', 'oc_other');
    expect((await post('/webhook/lark/event', signed(botAddedEvent({ chatId: 'oc_other', openId: 'ou_staff' })))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(replyText(bodies[0]!)).toContain('本群尚未启用政务助手');
    expect(replyText(bodies[0]!)).toContain('联系管理员');
    expect(replyText(bodies[0]!)).not.toContain('本群启用');
  });

  it('greets, without refusing anything, someone who adds it again to a group already open', async () => {
    const chat = { platform: 'lark', chatId: 'oc_open', type: 'group' as const };
    await t.bot.db.tx(async () => {
      await t.bot.services.chats.seen(chat);
      await t.bot.services.chats.enable(chat, ['公文'], { personId: null, identity: 'system:test', name: 'test', role: 'admin', unitId: null, chat: null });
    });
    const { scope, bodies } = expectSent('chat_id', 'oc_open');
    expect((await post('/webhook/lark/event', signed(botAddedEvent({ chatId: 'oc_open', openId: 'ou_staff' })))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(JSON.parse(replyText(bodies[0]!)).zh_cn.content).toEqual([[{ tag: 'text', text: '您好！发送「帮助」查看可用命令。' }]]);
    expect(replyText(bodies[0]!)).not.toContain('权限');
  });
});

describe('card clicks', () => {
  beforeEach(async () => {
    await t.bot.receive({
      platform: 'lark',
      eventId: 'seed',
      messageId: null,
      chat: { id: 'oc_p2p', type: 'p2p' },
      sender: { platform: 'lark', userId: 'ou_admin' },
      text: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室',
      mentions: [],
      kind: 'text',
      receivedAt: t.clock.now(),
    });
    nock(LARK).persist().post(/\/open-apis\/im\/v1\/messages/).reply(200, { code: 0, data: {} });
    await vi.waitFor(async () => expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1), { timeout: 5000 });
  });

  it('closes a document as the person who clicked, answering with a toast and the updated card', async () => {
    await t.bot.db.tx(() => t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff' }, '王五', 'staff', null, { personId: null, identity: 'system:test', name: 'test', role: 'admin', unitId: null, chat: null }));
    const res = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_staff' })));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { toast: { type: string }; card: { type: string; data: { header: { title: { content: string } } } } };
    expect(body.toast.type).toBe('success');
    expect(body.card.data.header.title.content).toBe('已办结：SW-2026-0001');
    expect(await t.scalar("SELECT actor FROM audit_log WHERE action = '公文办结'")).toContain('lark:ou_staff');
  });

  it('refuses a click from someone without the role, changing nothing', async () => {
    const res = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_stranger' })));
    const body = (await res.json()) as { toast: { type: string; content: string }; card?: unknown };
    expect(body.toast.type).toBe('error');
    expect(body.toast.content).toContain('我是谁');
    expect(body.card).toBeUndefined();
    expect(await t.scalar("SELECT count(*) FROM documents WHERE status = 'closed'")).toBe(0);
  });

  it('takes the chat’s scope from Lark, not from what the button’s value claims', async () => {
    await t.bot.db.tx(() => t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff' }, '王五', 'staff', null, { personId: null, identity: 'system:test', name: 'test', role: 'admin', unitId: null, chat: null }));
    // a crafted value claiming a private chat, clicked in a group nobody has opened
    const forged = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_staff', chatId: 'oc_closed', chat: 'p2p' })));
    const refused = (await forged.json()) as { toast: { type: string } };
    expect(refused.toast.type).not.toBe('success');
    // a chat Lark cannot tell the kind of counts as a group: the narrower scope
    const unknown = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_staff', chatId: 'oc_unknown', chat: 'p2p' })));
    expect(((await unknown.json()) as { toast: { type: string } }).toast.type).not.toBe('success');
    expect(await t.scalar("SELECT count(*) FROM documents WHERE status = 'closed'")).toBe(0);
  });

  it('carries out a second click on the same card: one card, two requests (a refusal, then a click that may)', async () => {
    await t.bot.db.tx(() => t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff' }, '王五', 'staff', null, { personId: null, identity: 'system:test', name: 'test', role: 'admin', unitId: null, chat: null }));
    const refused = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_stranger', messageId: 'om_same' })));
    expect(((await refused.json()) as { toast: { type: string } }).toast.type).toBe('error');
    const done = await post('/webhook/lark/card', signed(cardEvent({ command: '公文办结 SW-2026-0001', openId: 'ou_staff', messageId: 'om_same' })));
    expect(((await done.json()) as { toast: { type: string } }).toast.type).toBe('success');
    expect(await t.scalar("SELECT count(*) FROM documents WHERE status = 'closed'")).toBe(1);
  });

  it('refuses an unsigned click', async () => {
    expect((await post('/webhook/lark/card', signedRequest(KEY, cardEvent({ command: '公文办结 SW-2026-0001' }), { signature: null }))).status).toBe(401);
  });
});

describe('ledger files', () => {
  it('uploads an exported ledger and sends it as a file message to whoever asked', async () => {
    const { scope } = expectReply('om_export');
    let uploaded = '';
    const upload = nock(LARK)
      .post('/open-apis/im/v1/files', (body) => ((uploaded = Buffer.from(String(body), 'hex').toString('utf8')), true))
      .reply(200, { code: 0, data: { file_key: 'file_v2_abc' } });
    const sent: Record<string, string>[] = [];
    const file = nock(LARK)
      .post('/open-apis/im/v1/messages', (b) => (sent.push(b), true))
      .query({ receive_id_type: 'open_id' })
      .reply(200, { code: 0, data: {} });
    await post('/webhook/lark/event', signed(messageEvent({ text: '导出 督办 2026', messageId: 'om_export' })));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(file.isDone()).toBe(true), { timeout: 10000 });
    expect(upload.isDone()).toBe(true);
    expect(uploaded).toContain('督办台账-2026-1.xlsx');
    expect(sent[0]).toMatchObject({ receive_id: 'ou_admin', msg_type: 'file', content: JSON.stringify({ file_key: 'file_v2_abc' }) });
  });
});

describe('delivery', () => {
  it('retries after Lark answers 500, delivering once with the same uuid', async () => {
    const uuids: string[] = [];
    const failing = nock(LARK).post('/open-apis/im/v1/messages/om_500/reply', (b) => (uuids.push(b.uuid), true)).reply(500, { code: 1, msg: 'internal error' });
    await post('/webhook/lark/event', signed(messageEvent({ text: '我是谁', messageId: 'om_500' })));
    await vi.waitFor(() => expect(failing.isDone()).toBe(true), { timeout: 5000 });
    const { scope, bodies } = expectReply('om_500');
    await vi.waitFor(async () => expect(await t.scalar('SELECT last_error FROM outbox')).toContain('500'));
    t.clock.advance(2000);
    t.bot.dispatcher.kick();
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(bodies[0]!.uuid).toBe(uuids[0]);
    // Lark has the request before the dispatcher commits what it answered
    await vi.waitFor(async () => expect(await t.scalar("SELECT status || ':' || attempts FROM outbox")).toBe('sent:2'));
  });

  it('waits as long as a 429 answer’s x-ogw-ratelimit-reset says, then delivers', async () => {
    const limited = nock(LARK)
      .post('/open-apis/im/v1/messages/om_429/reply')
      .reply(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '7' });
    await post('/webhook/lark/event', signed(messageEvent({ text: '我是谁', messageId: 'om_429' })));
    await vi.waitFor(() => expect(limited.isDone()).toBe(true), { timeout: 5000 });
    await vi.waitFor(async () => expect(await t.scalar('SELECT next_attempt_at FROM outbox')).toBe(t.clock.now() + 7000));
    const { scope } = expectReply('om_429');
    t.clock.advance(6999);
    // one pass of the dispatcher at 6.999 s: it sends whatever is due, and this is not
    await t.bot.dispatcher.flush();
    expect(scope.isDone()).toBe(false);
    expect(await t.scalar("SELECT status || ':' || attempts FROM outbox")).toBe('pending:1');
    t.clock.advance(1);
    t.bot.dispatcher.kick();
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
  });

  it('carries out an acknowledged event once after a restart between ack and processing', async () => {
    await t.close();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const env = { ...ENV, ...(await lasting(dir)).env };
    const first = await makeBot({ env, dir });
    // only the HTTP app: the event is acknowledged, and the process stops before anything handles it
    const server = first.bot.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const event = messageEvent({ text: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', messageId: 'om_restart' });
    expect((await fetch(`http://127.0.0.1:${port}/webhook/lark/event`, { method: 'POST', ...signed(event) })).status).toBe(200);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await first.close();

    const { scope } = expectReply('om_restart');
    t = await startBot(env, dir);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(1);
  });
});

describe('names', () => {
  const nameOf = (userId: string) => t.scalar("SELECT p.name FROM people p JOIN identities i ON i.person_id = p.id WHERE i.platform = 'lark' AND i.user_id = ?", userId);

  it('fills in from the contact directory the names of people known by open_id only, and shows them', async () => {
    await t.close();
    const directory = (openId: string, name: string) =>
      nock(LARK).get(`/open-apis/contact/v3/users/${openId}`).query({ user_id_type: 'open_id' }).matchHeader('authorization', 'Bearer t-test-token').reply(200, { code: 0, data: { user: { open_id: openId, name } } });
    const admin = directory('ou_admin', '王主任');
    t = await startBot();
    await t.bot.names.settled(); // asked at start
    admin.done();
    expect(await nameOf('ou_admin')).toBe('王主任');

    // granted by id alone: named within the next round of lookups
    const newcomer = directory('ou_new', '李科长');
    expect(await t.say('授权 lark:ou_new 角色=员工', 'lark:ou_admin')).toContain('已授权');
    t.clock.advance(10_000); // a round at most every ten seconds
    t.bot.names.kick();
    await t.bot.names.settled();
    newcomer.done();
    const list = await t.say('人员列表', 'lark:ou_admin');
    expect(list).toContain('李科长｜员工');
    expect(list).not.toContain('未知姓名');

    // names are checked again daily: someone renamed in the directory shows under the new name the next day
    t.clock.advance(86_400_000 + 10_000);
    const renamed = directory('ou_admin', '王局长');
    const again = directory('ou_new', '李科长');
    t.bot.names.kick();
    await t.bot.names.settled();
    renamed.done();
    again.done();
    expect(await nameOf('ou_admin')).toBe('王局长');
  });

  it('invents no name and does not ask again at once when Lark will not say (no contact permission)', async () => {
    await t.close();
    // ready for two requests: the second must not come
    // as Feishu refuses it: HTTP 400 with the code in the body
    const refused = nock(LARK).get('/open-apis/contact/v3/users/ou_admin').query(true).twice().reply(400, { code: 99991672, msg: 'Access denied. One of the following scopes is required: [contact:user.base:readonly]' });
    t = await startBot();
    await t.bot.names.settled();
    t.clock.advance(10_000);
    t.bot.names.kick();
    await t.bot.names.settled();
    expect(refused.pendingMocks()).toHaveLength(1);
    expect(await nameOf('ou_admin')).toBeFalsy();
    nock.cleanAll();
  });
});
