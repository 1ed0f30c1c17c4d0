import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/engine/message';
import { systemActor } from '../../src/services/actor';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const GROUP = { id: 'oc_group', type: 'group' as const };
const OTHER = { id: 'oc_other', type: 'group' as const };
const DENIED = /不能使用|还没有使用|未开通|尚未启用/;

beforeEach(async () => {
  t = await makeBot();
  await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局');
  await t.say('单位新增 名称=县应急管理局 简称=应急局');
  await t.say('授权 console:contact 角色=联络员 单位=住建局');
  await t.say('授权 console:staff 角色=员工');
  await t.say('授权 console:leader 角色=领导');
  await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=住建局');
  await t.say('收文登记 标题=关于防汛物资储备的通知 来文单位=市应急管理局 承办单位=应急局');
});
afterEach(() => t.close());

describe('a closed group chat', () => {
  it('tells a non-admin once a day whom to ask, by name only, and otherwise stays silent', async () => {
    // the admin of ADMIN_IDS has no name yet: nobody in the group learns a platform id
    expect(await t.say('公文查询 防汛', 'console:staff', OTHER)).toMatch(/本群尚未启用政务助手。如需使用，请联系管理员。私聊/);
    await t.bot.db.tx(() => t.bot.services.people.grant({ platform: 'console', userId: 'wang' }, '王芳', 'admin', null, systemActor('test')));
    const first = await t.say('公文查询 防汛', 'console:staff', GROUP);
    expect(first).toContain('本群尚未启用');
    expect(first).toContain('请联系管理员：王芳。');
    expect(first).not.toMatch(/console:|wang/);
    expect(await t.say('帮助', 'console:staff', GROUP)).toBe('');
    expect(await t.say('随便说点什么', 'console:leader', GROUP)).toBe('');
    t.clock.advance(24 * 3_600_000);
    expect(await t.say('公文查询 防汛', 'console:staff', GROUP)).toContain('本群尚未启用');
  });

  it('answers an admin with how to open it, and runs admin commands for them', async () => {
    expect(await t.say('公文查询 防汛', 'console:admin', GROUP)).toContain('本群启用 公文 督办');
    expect(await t.say('本群设置', 'console:admin', GROUP)).toContain('已启用：无');
  });
});

describe('enabling command groups', () => {
  it('opens only the groups enabled, and closes them again', async () => {
    const enabled = await t.say('本群启用 统计', 'console:admin', GROUP);
    expect(enabled).toContain('已启用：统计');
    expect(await t.say('公文查询 防汛', 'console:staff', GROUP)).toContain('本群未开通「公文」功能');
    expect(await t.say('本群启用 公文', 'console:admin', GROUP)).toContain('已启用：公文、统计');
    expect(await t.say('公文查询 防汛', 'console:staff', GROUP)).toContain('共 2 件');
    expect(await t.say('公文查询 防汛', 'console:staff', OTHER)).toContain('本群尚未启用'); // another chat is still closed
    expect(await t.say('本群停用 公文', 'console:admin', GROUP)).toContain('已启用：统计');
    expect(await t.say('公文查询 防汛', 'console:staff', GROUP)).toContain('本群未开通「公文」功能');
  });

  it('refuses unknown groups and private-chat settings', async () => {
    expect(await t.say('本群启用 财务', 'console:admin', GROUP)).toContain('没有功能组「财务」');
    expect(await t.say('本群启用 公文')).toContain('私聊无需启用');
    expect(await t.say('本群设置')).toContain('这是私聊');
  });

  it('subscribes and unsubscribes a chat to the weekly report and reminders', async () => {
    expect(await t.say('本群订阅 周报 提醒', 'console:admin', GROUP)).toContain('订阅：周报、提醒');
    expect(await t.say('本群退订 提醒', 'console:admin', GROUP)).toContain('订阅：周报');
    expect((await t.bot.services.chats.settings({ platform: 'console', chatId: 'oc_group', type: 'group' })).subscriptions).toEqual(['周报']);
    expect(await t.say('本群订阅 日报', 'console:admin', GROUP)).toContain('没有订阅「日报」');
  });
});

describe('help by role and chat', () => {
  it('lists only what the sender may use in that chat', async () => {
    await t.say('本群启用 统计', 'console:admin', GROUP);
    const inGroup = await t.say('帮助', 'console:staff', GROUP);
    expect(inGroup).not.toContain('收文登记');
    expect(inGroup).toContain('我是谁');
    await t.say('本群启用 公文', 'console:admin', GROUP);
    expect(await t.say('帮助', 'console:staff', GROUP)).toContain('收文登记');
    expect(await t.say('帮助', 'console:leader', GROUP)).not.toContain('收文登记');
    expect(await t.say('帮助', 'console:admin', GROUP)).toContain('本群启用');
    expect(await t.say('帮助', 'console:staff', GROUP)).not.toContain('本群启用');
  });
});

// Every role in every kind of chat against the rights table (README: who may use what), narrowed by the chat's groups.
// Chats: p2p; a group with 公文 enabled; a group with only 统计 enabled; a closed group.
// ✓ = the command runs (its reply says what it did); – = refused (or, in a closed chat, silence
// after the daily notice).
const CHATS = { p2p: { id: 'local', type: 'p2p' as const }, open: { id: 'oc_open', type: 'group' as const }, other: { id: 'oc_stats', type: 'group' as const }, closed: { id: 'oc_closed', type: 'group' as const } };
type ChatName = keyof typeof CHATS;
const ROLES = ['console:stranger', 'console:contact', 'console:staff', 'console:leader', 'console:admin'] as const;
//                              stranger contact staff  leader  admin
const MATRIX: [string, Record<ChatName, string>, RegExp][] = [
  ['我是谁', { p2p: '✓✓✓✓✓', open: '✓✓✓✓✓', other: '✓✓✓✓✓', closed: '–––––' }, /【我是谁】/],
  ['待办公文', { p2p: '–✓✓✓✓', open: '–✓✓✓✓', other: '–––––', closed: '–––––' }, /【待办公文（全部）：共 \d+ 件】/],
  ['收文登记 标题=甲 来文单位=乙', { p2p: '––✓–✓', open: '––✓–✓', other: '–––––', closed: '–––––' }, /【已登记收文：SW-2026-\d{4}】/],
  ['督办逾期', { p2p: '–✓✓✓✓', open: '–––––', other: '–––––', closed: '–––––' }, /没有逾期的督办件/],
  ['单位列表', { p2p: '––––✓', open: '––––✓', other: '––––✓', closed: '––––✓' }, /【承办单位：共 \d+ 个】/],
];

describe('rights × chat scope', () => {
  beforeEach(async () => {
    await t.say('本群启用 公文', 'console:admin', CHATS.open);
    await t.say('本群启用 统计', 'console:admin', CHATS.other);
    await t.say('本群设置', 'console:admin', CHATS.closed);
  });
  for (const [command, byChat, ran] of MATRIX) {
    for (const [chat, marks] of Object.entries(byChat) as [ChatName, string][]) {
      ROLES.forEach((role, i) => {
        const allowed = [...marks][i] === '✓';
        it(`${role.slice(8)} ${allowed ? 'may' : 'may not'} use ${command.split(' ')[0]} in ${chat}`, async () => {
          // the daily notice of a closed chat is spent first, so a refusal there is silence
          if (chat === 'closed') await t.say('帮助', 'console:stranger', CHATS.closed);
          const reply = await t.say(command, role, CHATS[chat]);
          if (allowed) expect(reply).toMatch(ran);
          else if (chat === 'closed' && role !== 'console:admin') expect(reply).toBe('');
          else expect(reply).toMatch(DENIED);
        });
      });
    }
  }
});

describe('unit contacts', () => {
  it('see only their unit’s documents in lists and searches, in private and in groups', async () => {
    await t.say('本群启用 公文', 'console:admin', GROUP);
    for (const chat of [undefined, GROUP]) {
      const todo = await t.say('待办公文', 'console:contact', chat);
      expect(todo).toContain('共 1 件');
      expect(todo).toContain('SW-2026-0001');
      expect(todo).not.toContain('SW-2026-0002');
      const found = await t.say('公文查询 防汛', 'console:contact', chat);
      expect(found).toContain('SW-2026-0001');
      expect(found).not.toContain('SW-2026-0002');
    }
    expect(await t.say('公文查询 SW-2026-0002', 'console:contact')).toContain('不属于您所在单位');
  });

  it('find their own documents however many newer ones of other units match', async () => {
    // more newer matches elsewhere than a search looks through
    const staff = systemActor('test');
    await t.bot.db.tx(async () => {
      for (let i = 0; i < 1001; i++) await t.bot.services.documents.registerIncoming({ title: `关于防汛值班的第${i}号通知`, sourceUnit: '市应急管理局', urgency: '平件', secrecy: '无', receivedDate: '2026-11-25', handlingUnit: '应急局' }, staff);
    });
    const found = await t.say('公文查询 防汛', 'console:contact');
    expect(found).toContain('【SW-2026-0001】'); // the one document of 住建局 among 1,003 matches
    expect(await t.say('公文查询 防汛')).toContain('共 1000 件以上'); // the cap still holds for those who see all
  });
});

describe('节假日设置', () => {
  it('overrides the calendar at once, audited', async () => {
    expect(await t.say('收文登记 标题=丙 来文单位=丁 办理时限=1个工作日')).toContain('2026-11-26');
    expect(await t.say('节假日设置 11月26日 休')).toContain('2026年11月26日 为休息日');
    expect(await t.say('收文登记 标题=戊 来文单位=己 办理时限=1个工作日')).toContain('2026-11-27');
    expect(await t.say('节假日设置 11月28日 班')).toContain('为工作日');
    expect(await t.say('节假日设置 11月28日 上班')).toContain('「类型」应为 休 或 班');
    expect(await t.say('节假日设置 11月26日 休', 'console:staff')).toMatch(DENIED);
  });
});

describe('audit of admin actions', () => {
  it('records who, where and what changed for every admin action', async () => {
    await t.say('本群启用 公文 督办', 'console:admin', GROUP);
    await t.say('本群停用 督办', 'console:admin', GROUP);
    await t.say('本群订阅 周报', 'console:admin', GROUP);
    await t.say('本群退订 周报', 'console:admin', GROUP);
    await t.say('节假日设置 2027-02-08 休');
    await t.say('撤销授权 console:leader');
    const rows = await t.rows<Record<string, string>>('SELECT action, actor, chat, target, before, after FROM audit_log ORDER BY id');
    const byAction = (a: string) => rows.filter((r) => r.action === a);
    for (const action of ['授权', '撤销授权', '单位新增', '本群启用', '本群停用', '本群订阅', '本群退订', '节假日设置']) expect(byAction(action).length, action).toBeGreaterThan(0);
    const enable = byAction('本群启用')[0]!;
    expect(enable).toMatchObject({ actor: 'console:admin', chat: 'console:oc_group', target: 'console:oc_group' });
    expect(JSON.parse(enable.before!).enabledGroups).toEqual([]);
    expect(JSON.parse(enable.after!).enabledGroups).toEqual(['公文', '督办']);
    expect(JSON.parse(byAction('节假日设置')[0]!.after!)).toEqual({ workday: false });
  });
});

describe('flood protection', () => {
  /** A Lark message (the console is exempt: it is the operator at the machine). */
  function larkMessage(i: number, sender: string, chat = 'oc_flood'): IncomingMessage {
    return { platform: 'lark', eventId: `f-${sender}-${i}`, messageId: `om-${sender}-${i}`, chat: { id: chat, type: 'p2p' }, sender: { platform: 'lark', userId: sender }, text: '我是谁', mentions: [], kind: 'text', receivedAt: t.clock.now() };
  }
  const repliesTo = (eventId: string) => t.scalar<number>('SELECT count(*) FROM outbox WHERE dedupe_key LIKE ?', `reply:lark:${eventId}:%`);
  const doneCount = () => t.scalar<number>("SELECT count(*) FROM inbox WHERE platform = 'lark' AND status = 'done'");

  it('answers one person’s 31st command in a minute with one refusal, then ignores them until the minute passes', async () => {
    t.clock.set(Date.parse('2026-11-25T09:00:00+08:00'));
    for (let i = 1; i <= 33; i++) await t.bot.receive(larkMessage(i, 'ou_fast'));
    await t.bot.worker.drain();
    expect(await repliesTo('f-ou_fast-30')).toBe(1);
    const refusal = await t.scalar<string>("SELECT payload FROM outbox WHERE dedupe_key = 'reply:lark:f-ou_fast-31:0'");
    expect(refusal).toContain('发送得太快');
    expect(await repliesTo('f-ou_fast-32')).toBe(0);
    expect(await repliesTo('f-ou_fast-33')).toBe(0);
    expect(await doneCount()).toBe(33); // acknowledged and marked done all the same
    await t.bot.receive(larkMessage(32, 'ou_fast')); // still deduplicated
    t.clock.advance(60_000);
    await t.bot.receive(larkMessage(34, 'ou_fast'));
    await t.bot.worker.drain();
    expect(await repliesTo('f-ou_fast-34')).toBe(1);
    expect(await doneCount()).toBe(34);
  });

  it('limits one chat to 120 commands a minute across its people', async () => {
    t.clock.set(Date.parse('2026-11-25T09:00:00+08:00'));
    for (let i = 1; i <= 122; i++) await t.bot.receive(larkMessage(i, `ou_${i % 10}`, 'oc_busy'));
    await t.bot.worker.drain();
    expect(await repliesTo('f-ou_0-120')).toBe(1);
    expect(await t.scalar("SELECT payload FROM outbox WHERE dedupe_key = 'reply:lark:f-ou_1-121:0'")).toContain('发送得太快');
    expect(await repliesTo('f-ou_2-122')).toBe(0);
  });
});
