// The org chart (issue 20, part 6): 单位同步 from Feishu's departments, and people leaving the
// organisation (contact.user.deleted_v3). The real webhook server, the real SDK; only Feishu's HTTP
// API faked with nock.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { botAddedEvent, cardEvent, messageEvent, userDeletedEvent } from '../fixtures/lark';
import { ENV, LARK, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import type { TestBot } from '../helpers';

let t: TestBot;
onlyLoopback();

const post = (path: string, payload: unknown) => postTo(t, path, signedAt(t, payload));
const setup = systemActor('test');

/** Every message Feishu is asked to send: replies by the message answered, new ones by addressee. */
function fakeMessages() {
  const sent: { to: string; text: string }[] = [];
  const textOf = (b: unknown) => JSON.stringify(JSON.parse((b as { content: string }).content));
  nock(LARK)
    .persist()
    .post(/^\/open-apis\/im\/v1\/messages\/[\w-]+\/reply$/)
    .reply((uri, b) => {
      sent.push({ to: uri.split('/')[5]!, text: textOf(b) });
      return [200, { code: 0, msg: 'success', data: { message_id: `om_r${sent.length}` } }];
    });
  nock(LARK)
    .persist()
    .post('/open-apis/im/v1/messages')
    .query(true)
    .reply((_uri, b) => {
      sent.push({ to: (b as { receive_id: string }).receive_id, text: textOf(b) });
      return [200, { code: 0, msg: 'success', data: { message_id: `om_s${sent.length}` } }];
    });
  return { sent, to: (id: string) => sent.filter((m) => m.to === id).map((m) => m.text) };
}

const TOP = [
  { name: '县住建局', parent_department_id: '0', open_department_id: 'od-zj', leader_user_id: 'ou_leader' },
  { name: '县教育局', parent_department_id: '0', open_department_id: 'od-jy' },
  { name: '县应急管理局', parent_department_id: '0', open_department_id: 'od-yj' },
];

/** The app's contact range and departments, each list in two pages; returns what was asked. */
function fakeDirectory() {
  const asked: string[] = [];
  const page = (q: Record<string, unknown>, first: object, second: object) => (q.page_token === 'next' ? second : first);
  nock(LARK)
    .get('/open-apis/contact/v3/scopes')
    .times(2)
    .query((q) => q.department_id_type === 'open_department_id')
    .matchHeader('authorization', 'Bearer t-test-token')
    .reply(function (uri) {
      asked.push(uri);
      const q = Object.fromEntries(new URL(uri, LARK).searchParams);
      return [200, { code: 0, data: page(q, { department_ids: ['od-zj', 'od-jy'], has_more: true, page_token: 'next' }, { department_ids: ['od-yj'], has_more: false }) }];
    });
  nock(LARK)
    .get('/open-apis/contact/v3/departments/batch')
    .query({ department_ids: ['od-zj', 'od-jy', 'od-yj'], department_id_type: 'open_department_id', user_id_type: 'open_id' })
    .reply((uri) => (asked.push(uri), [200, { code: 0, data: { items: TOP } }]));
  nock(LARK)
    .get('/open-apis/contact/v3/departments/od-zj/children')
    .times(2)
    .query((q) => q.fetch_child === 'true' && q.department_id_type === 'open_department_id')
    .reply((uri) => {
      asked.push(uri);
      const q = Object.fromEntries(new URL(uri, LARK).searchParams);
      const items = q.page_token === 'next' ? [{ name: '村镇建设股', parent_department_id: 'od-zj', open_department_id: 'od-zj-2' }] : [{ name: '办公室', parent_department_id: 'od-zj', open_department_id: 'od-zj-1' }];
      return [200, { code: 0, data: { items, has_more: q.page_token !== 'next', ...(q.page_token === 'next' ? {} : { page_token: 'next' }) } }];
    });
  for (const id of ['od-jy', 'od-yj']) nock(LARK).get(`/open-apis/contact/v3/departments/${id}/children`).query(true).reply((uri) => (asked.push(uri), [200, { code: 0, data: { has_more: false } }]));
  return asked;
}

async function officeUnits(): Promise<void> {
  await t.bot.db.tx(async () => {
    await t.bot.services.units.add('县住房和城乡建设局', '县住建局', undefined, setup);
    await t.bot.services.units.add('县教育局', undefined, undefined, setup);
    await t.bot.services.units.add('县财政局', undefined, undefined, setup);
  });
}

/** TOP as 单位同步 reads it, asked for and read (as the background reader would) in one go; the snapshot's id. */
async function readDepartments(): Promise<number> {
  const s = t.bot.services;
  return t.bot.db.tx(async () => {
    await s.orgSync.overview(setup, true);
    const id = (await s.orgSync.due())!;
    await s.orgSync.read(id, { departments: TOP.map((d) => ({ id: d.open_department_id, name: d.name, parentId: '0', ...(d.leader_user_id ? { leaderId: d.leader_user_id } : {}) })) });
    return id;
  });
}

/** A day on, the daily refresh, with Feishu out of reach (only loopback may be called). */
async function failedRefresh(): Promise<void> {
  t.clock.advance(86_400_000);
  t.bot.departments.kick();
  await vi.waitFor(async () => expect(await t.scalar("SELECT count(*) FROM org_snapshots WHERE status = 'failed' AND read_at = ?", t.clock.now())).toBe(1), { timeout: 5000 });
  // the reader looks once more for what is due before it rests: the clock may move only after that
  await t.bot.departments.settled();
}

const unitRows = () => t.rows<{ name: string; dept: string | null }>('SELECT name, lark_department_id AS dept FROM units ORDER BY id');

beforeEach(async () => {
  t = await startLarkBot();
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

describe('单位同步', () => {
  it('reads the departments page by page outside the command, proposes the mapping, and applies it once on 确认', async () => {
    await officeUnits();
    const messages = fakeMessages();
    const asked = fakeDirectory();

    expect((await post('/webhook/lark/event', messageEvent({ text: '单位同步', messageId: 'om_sync' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('om_sync').join()).toContain('正在读取飞书通讯录的部门'), { timeout: 5000 });
    // the proposal follows as a message once the departments are read
    await vi.waitFor(() => expect(messages.to('ou_admin')).toHaveLength(1), { timeout: 5000 });
    expect(asked.filter((u) => u.includes('page_token=next'))).toHaveLength(2);
    const proposal = messages.to('ou_admin')[0]!;
    expect(proposal).toContain('新增单位 1 个');
    expect(proposal).toContain('县应急管理局');
    expect(proposal).toContain('县住房和城乡建设局 ← 飞书部门「县住建局」');
    expect(proposal).toContain('名称一致 1 个：县教育局');
    expect(proposal).toContain('未对应的单位 1 个（飞书中没有同名部门，保持不变）：县财政局');
    expect(proposal).toContain('另有 2 个下级部门');
    const id = await t.scalar<number>("SELECT id FROM org_snapshots WHERE status = 'read'");
    expect(proposal).toContain(`单位同步 确认 ${id}`);
    // nothing changes before the confirmation
    expect(await unitRows()).toEqual([
      { name: '县住房和城乡建设局', dept: null },
      { name: '县教育局', dept: null },
      { name: '县财政局', dept: null },
    ]);

    const click = async () => (await (await post('/webhook/lark/card', cardEvent({ command: `单位同步 确认 ${id}` }))).json()) as { toast: { type: string; content: string } };
    const first = await click();
    expect(first.toast.content).toContain('已完成单位同步：新增单位 1 个（县应急管理局）');
    const applied = [
      { name: '县住房和城乡建设局', dept: 'od-zj' },
      { name: '县教育局', dept: 'od-jy' },
      { name: '县财政局', dept: null },
      { name: '县应急管理局', dept: 'od-yj' },
    ];
    expect(await unitRows()).toEqual(applied);
    const second = await click();
    expect(second.toast.content).toContain('无需再次确认');
    expect(await unitRows()).toEqual(applied);
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '单位同步'")).toBe(1);

    // asked again, it answers at once from the snapshot, stating when it was read, without Feishu
    expect((await post('/webhook/lark/event', messageEvent({ text: '单位同步', messageId: 'om_again' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('om_again')).toHaveLength(1), { timeout: 5000 });
    expect(messages.to('om_again')[0]).toContain('飞书通讯录 2026-11-25 09:00 读取');
    expect(messages.to('om_again')[0]).toContain('已于');
    expect(messages.to('om_again')[0]).not.toContain('确认同步');
  });

  it('is refused to anyone but an admin, typed or clicked, and reads nothing', async () => {
    await officeUnits();
    const messages = fakeMessages();
    expect((await post('/webhook/lark/event', messageEvent({ text: '单位同步', messageId: 'om_staff', openId: 'ou_staff' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('om_staff')).toHaveLength(1), { timeout: 5000 });
    expect(messages.to('om_staff')[0]).toContain('您还没有使用「单位同步」的权限');
    const res = (await (await post('/webhook/lark/card', cardEvent({ command: '单位同步 确认 1', openId: 'ou_staff' }))).json()) as { toast: { type: string; content: string } };
    expect(res.toast).toMatchObject({ type: 'error' });
    expect(res.toast.content).toContain('单位同步');
    expect(await t.scalar('SELECT count(*) FROM org_snapshots')).toBe(0);
    expect((await unitRows()).map((u) => u.dept)).toEqual([null, null, null]);
  });

  it('keeps the last proposal confirmable when a daily refresh fails', async () => {
    await officeUnits();
    const id = await readDepartments();
    await failedRefresh();
    expect(await t.column('SELECT status FROM org_snapshots ORDER BY id')).toEqual(['read', 'failed']);
    const res = (await (await post('/webhook/lark/card', cardEvent({ command: `单位同步 确认 ${id}` }))).json()) as { toast: { content: string } };
    expect(res.toast.content).toContain('已完成单位同步：新增单位 1 个（县应急管理局）');
  });

  it('forgets reads after 90 days, but never the latest that succeeded', async () => {
    await officeUnits();
    const first = await readDepartments();
    await failedRefresh();
    t.clock.advance(91 * 86_400_000);
    const purge = () => t.bot.services.orgSync.purge();
    // the failed refresh goes; the one read, however old, stays
    expect(await purge()).toBe(1);
    expect(await t.column('SELECT id FROM org_snapshots')).toEqual([first]);
    const second = await readDepartments();
    expect(await purge()).toBe(1);
    expect(await t.column('SELECT id FROM org_snapshots')).toEqual([second]);
  });

  it('tells the admin in Chinese why Feishu would not say (no contact permission), and changes nothing', async () => {
    await officeUnits();
    const messages = fakeMessages();
    // as Feishu refuses a missing permission: HTTP 400 with its code in the body
    nock(LARK)
      .get('/open-apis/contact/v3/scopes')
      .query(true)
      .reply(400, { code: 99991672, msg: 'Access denied. One of the following scopes is required: [contact:contact.base:readonly]' });
    expect((await post('/webhook/lark/event', messageEvent({ text: '单位同步', messageId: 'om_sync' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('ou_admin')).toHaveLength(1), { timeout: 5000 });
    const answer = messages.to('ou_admin')[0]!;
    expect(answer).toContain('无法读取飞书通讯录的部门');
    expect(answer).toContain('99991672');
    expect(answer).toContain('获取通讯录基本信息');
    expect(answer).toContain('单位未做任何更改');
    expect(await t.rows('SELECT status FROM org_snapshots')).toEqual([{ status: 'failed' }]);
    expect((await unitRows()).map((u) => u.dept)).toEqual([null, null, null]);
    expect(await t.scalar('SELECT count(*) FROM units')).toBe(3);
  });
});

describe('someone leaving the organisation', () => {
  const roleOf = (openId: string) => t.scalar("SELECT p.role FROM people p JOIN identities i ON i.person_id = p.id WHERE i.platform = 'lark' AND i.user_id = ?", openId);

  /** Two admins, 张联络 the only contact of 县住建局 (whose Feishu department's leader is 李局长), 王联络 one of two of 县教育局. */
  async function office(): Promise<void> {
    await officeUnits();
    const s = t.bot.services;
    await t.bot.db.tx(async () => {
      const unit = async (name: string) => (await s.units.resolve(name)).id;
      await s.people.grant({ platform: 'lark', userId: 'ou_admin2' }, '赵主任', 'admin', null, setup);
      await s.people.grant({ platform: 'lark', userId: 'ou_zhang' }, '张联络', 'contact', await unit('县住建局'), setup);
      await s.people.grant({ platform: 'lark', userId: 'ou_wang' }, '王联络', 'contact', await unit('县教育局'), setup);
      await s.people.grant({ platform: 'lark', userId: 'ou_chen' }, '陈联络', 'contact', await unit('县教育局'), setup);
      await s.people.grant({ platform: 'lark', userId: 'ou_leader' }, '李局长', 'staff', null, setup);
    });
    // the departments as 单位同步 last read them, applied
    const id = await readDepartments();
    await t.bot.db.tx(() => s.orgSync.confirm(id, setup));
  }

  it('revokes their roles as done by the directory, tells every admin once, and lists the units left without a contact with whom to ask', async () => {
    await office();
    const messages = fakeMessages();
    const seen = () => t.scalar("SELECT last_seen_at FROM identities WHERE user_id = 'ou_zhang'");
    const seenBefore = await seen();
    t.clock.advance(3_600_000);
    const event = userDeletedEvent({ openId: 'ou_zhang', name: '张联络' });
    for (let i = 0; i < 2; i++) expect((await post('/webhook/lark/event', event)).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('ou_admin2')).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(async () => expect(await t.bot.services.inbox.nextDueAt()).toBeNull(), { timeout: 5000 });
    await t.bot.dispatcher.flush();

    expect(await roleOf('ou_zhang')).toBeNull();
    expect(await t.scalar("SELECT count(*) FROM unit_contacts uc JOIN units u ON u.id = uc.unit_id WHERE u.name = '县住房和城乡建设局'")).toBe(0);
    expect(await t.rows("SELECT actor, target FROM audit_log WHERE action = '撤销授权'")).toEqual([{ actor: 'system:飞书通讯录', target: 'lark:ou_zhang' }]);
    // once however often Feishu pushed it
    expect(await t.scalar("SELECT count(*) FROM inbox WHERE platform = 'lark'")).toBe(1);
    for (const admin of ['ou_admin', 'ou_admin2']) {
      expect(messages.to(admin)).toHaveLength(1);
      const notice = messages.to(admin)[0]!;
      expect(notice).toContain('张联络（lark:ou_zhang） 已从飞书通讯录离职，已撤销其角色（联络员｜县住房和城乡建设局）');
      expect(notice).toContain('以下单位已没有联络员');
      expect(notice).toContain('县住房和城乡建设局：请联系部门负责人 李局长（lark:ou_leader）');
    }
    // the person is not counted as seen, nor answered
    expect(messages.sent.filter((m) => m.to === 'ou_zhang')).toHaveLength(0);
    expect(await seen()).toBe(seenBefore);
  });

  it('names the department leader from the last read when a daily refresh has failed since', async () => {
    await office();
    await failedRefresh();
    const messages = fakeMessages();
    expect((await post('/webhook/lark/event', userDeletedEvent({ openId: 'ou_zhang', name: '张联络' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('ou_admin')).toHaveLength(1), { timeout: 5000 });
    expect(messages.to('ou_admin')[0]).toContain('县住房和城乡建设局：请联系部门负责人 李局长（lark:ou_leader）');
  });

  it('lists no unit that still has a contact', async () => {
    await office();
    const messages = fakeMessages();
    expect((await post('/webhook/lark/event', userDeletedEvent({ openId: 'ou_wang', name: '王联络' }))).status).toBe(200);
    await vi.waitFor(() => expect(messages.to('ou_admin')).toHaveLength(1), { timeout: 5000 });
    expect(messages.to('ou_admin')[0]).toContain('已撤销其角色（联络员｜县教育局）');
    expect(messages.to('ou_admin')[0]).not.toContain('以下单位已没有联络员');
    expect(await roleOf('ou_chen')).toBe('contact');
  });

  it('does nothing for someone the bot never knew: nobody created, nobody told', async () => {
    await office();
    const messages = fakeMessages();
    const before = await t.scalar('SELECT count(*) FROM people');
    expect((await post('/webhook/lark/event', userDeletedEvent({ openId: 'ou_stranger' }))).status).toBe(200);
    await vi.waitFor(async () => expect(await t.scalar("SELECT count(*) FROM inbox WHERE platform = 'lark' AND status = 'done'")).toBe(1), { timeout: 5000 });
    await t.bot.dispatcher.flush();
    expect(await t.scalar('SELECT count(*) FROM people')).toBe(before);
    expect(await t.scalar("SELECT count(*) FROM identities WHERE user_id = 'ou_stranger'")).toBe(0);
    expect(messages.sent).toHaveLength(0);
  });

  it('cannot be claimed by anything a person sends', async () => {
    await office();
    const messages = fakeMessages();
    // the leaving person's own words, the event's type typed out, and a button claiming it
    const payload = JSON.stringify(userDeletedEvent({ openId: 'ou_zhang' }));
    expect((await post('/webhook/lark/event', messageEvent({ text: payload, openId: 'ou_zhang', messageId: 'om_claim' }))).status).toBe(200);
    expect((await post('/webhook/lark/event', messageEvent({ text: 'contact.user.deleted_v3', openId: 'ou_zhang', messageId: 'om_type' }))).status).toBe(200);
    await post('/webhook/lark/card', { ...cardEvent({ command: '离职', openId: 'ou_zhang' }), event: { ...cardEvent({ command: '离职', openId: 'ou_zhang' }).event, action: { value: { command: '帮助', kind: 'left' } } } });
    // a directory event sent to the card callback is not taken either
    await post('/webhook/lark/card', userDeletedEvent({ openId: 'ou_zhang' }));
    await vi.waitFor(() => expect(messages.to('om_type')).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(() => expect(messages.to('om_claim')).toHaveLength(1), { timeout: 5000 });
    expect(await roleOf('ou_zhang')).toBe('contact');
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE actor = 'system:飞书通讯录'")).toBe(0);
    expect(messages.to('ou_admin')).toHaveLength(0);
  });

  it('sends no apology to the departed person, nor to a group the bot joined, when handling fails for good', async () => {
    await t.close();
    t = await startLarkBot({ ...ENV, INBOX_MAX_ATTEMPTS: '1' });
    await office();
    const messages = fakeMessages();
    vi.spyOn(t.bot.services.orgSync, 'personLeft').mockRejectedValue(new Error('boom'));
    vi.spyOn(t.bot.services.chats, 'seen').mockRejectedValue(new Error('boom'));
    expect((await post('/webhook/lark/event', userDeletedEvent({ openId: 'ou_zhang' }))).status).toBe(200);
    expect((await post('/webhook/lark/event', botAddedEvent({ chatId: 'oc_new', openId: 'ou_admin' }))).status).toBe(200);
    await vi.waitFor(async () => expect(await t.column("SELECT status FROM inbox WHERE platform = 'lark'")).toEqual(['failed', 'failed']), { timeout: 5000 });
    await t.bot.dispatcher.flush();
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(0);
    expect(messages.sent).toHaveLength(0);
  });
});
