import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/engine/message';
import { consoleMessage } from '../../src/platforms/console/receiver';
import { renderPlain } from '../../src/platforms/console/render';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
beforeEach(async () => {
  t = await makeBot();
});
afterEach(() => t.close());

const audits = (action: string) => t.rows<Record<string, string>>('SELECT actor, chat, target, before, after FROM audit_log WHERE action = ? ORDER BY id', action);

/** A message as a messenger delivers it: the mention resolved to a person with a name. */
async function sayWithMention(text: string, mention: IncomingMessage['mentions'][number]) {
  const msg = consoleMessage(text, { platform: 'console', userId: 'admin' }, t.clock.now());
  msg.mentions = [mention];
  const before = t.sent.length;
  await t.bot.receive(msg);
  await t.bot.worker.drain();
  await t.bot.dispatcher.flush();
  return t.sent.slice(before).map((m) => renderPlain(m.reply)).join('\n');
}

describe('授权 and 撤销授权', () => {
  it('grants by platform id and by mention, audited with before and after', async () => {
    expect(await t.say('授权 lark:ou_1 角色=领导')).toContain('已授权：（未知姓名）｜领导｜lark:ou_1');
    expect(await sayWithMention('授权 @张三 角色=员工', { platform: 'lark', userId: 'ou_2', name: '张三' })).toContain('已授权：张三｜员工｜lark:ou_2');
    const rows = await audits('授权');
    expect(rows.map((r) => r.target)).toEqual(['console:admin', 'lark:ou_1', 'lark:ou_2']);
    expect(JSON.parse(rows[2]!.after!)).toEqual({ name: '张三', role: '员工', unit: null });
    expect(rows[2]!.chat).toBe('console:local');
    // by id with a name given, or the name added later: lists show the name, not the id alone
    expect(await t.say('授权 dingtalk:staff_9 角色=员工 姓名=赵六')).toContain('已授权：赵六｜员工｜dingtalk:staff_9');
    expect(await t.say('授权 lark:ou_1 角色=领导 姓名=钱局长')).toContain('已授权：钱局长｜领导｜lark:ou_1');
    const list = await t.say('人员列表');
    expect(list).toContain('钱局长｜领导｜lark:ou_1');
    expect(list).toContain('赵六｜员工｜dingtalk:staff_9');
  });

  it('requires a unit for a contact and a known role', async () => {
    expect(await t.say('授权 lark:ou_1 角色=联络员')).toContain('需要指定单位');
    expect(await t.say('授权 lark:ou_1 角色=局长')).toContain('「角色」应为 联络员/员工/领导/管理员 之一');
    expect(await t.say('授权 张三 角色=员工')).toContain('找不到「张三」');
    expect(await audits('授权')).toHaveLength(1);
  });

  it('revokes, and refuses to revoke nobody or the last word on oneself', async () => {
    await t.say('授权 lark:ou_1 角色=员工');
    expect(await t.say('撤销授权 lark:ou_1')).toContain('已撤销授权');
    expect(await t.say('收文登记 标题=甲 来文单位=乙', 'lark:ou_1')).toContain('请发送「我是谁」');
    expect(await t.say('撤销授权 lark:ou_1')).toContain('没有任何角色');
    expect(await t.say('撤销授权 console:admin')).toContain('不能撤销自己的管理员角色');
    expect(await audits('撤销授权')).toHaveLength(1);
  });

  it('lists people with roles', async () => {
    await t.say('单位新增 县住建局');
    await t.say('授权 lark:ou_9 角色=联络员 单位=县住建局');
    const r = await t.say('人员列表');
    expect(r).toContain('共 2 人');
    expect(r).toContain('联络员｜县住建局｜lark:ou_9');
  });
});

describe('单位新增 and 单位列表', () => {
  it('adds a unit with a contact, who becomes its 联络员', async () => {
    const r = await sayWithMention('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@李四', { platform: 'lark', userId: 'ou_li', name: '李四' });
    expect(r).toContain('已新增单位：县住房和城乡建设局（简称 县住建局），联络员：李四');
    expect(await t.say('我是谁', 'lark:ou_li')).toContain('角色：联络员');
    expect(await t.say('单位列表')).toContain('县住房和城乡建设局（县住建局）｜联络员：李四');
    expect(await audits('单位新增')).toHaveLength(1);
  });

  it('refuses a duplicate name or short name', async () => {
    await t.say('单位新增 名称=县住房和城乡建设局 简称=县住建局');
    expect(await t.say('单位新增 县住建局')).toContain('已存在');
    expect(await t.say('单位新增 名称=县住房和城乡建设局')).toContain('已存在');
    expect(await audits('单位新增')).toHaveLength(1);
  });
});

describe('审计', () => {
  it('shows the latest entries, newest first: who, when, where, what changed', async () => {
    await t.say('单位新增 县住建局');
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室');
    const r = await t.say('审计 2');
    expect(r).toContain('最近 2 条操作记录');
    const lines = r.split('\n');
    expect(lines[1]).toMatch(/^2026-11-25 09:00｜console:admin｜console:local｜收文登记 SW-2026-0001｜标题：关于做好防汛工作的通知；来文单位：市政府办公室；紧急程度：平件；状态：待分办$/);
    expect(lines[2]).toMatch(/单位新增 县住建局｜名称：县住建局$/);
    // a change shows only what changed, in the office's words, with the unit's name for its id
    await t.say('公文分办 SW-2026-0001 承办单位=县住建局');
    const [, change] = (await t.say('审计 1')).split('\n');
    // in the card's words: an assigned 收文 is 办理中
    expect(change).toContain('公文分办 SW-2026-0001｜状态：待分办 → 办理中；承办单位：无 → 县住建局');
    expect(change).not.toMatch(/[{}"]|handlingUnitId|null/);
    expect(await t.say('审计 0')).toContain('「条数」至少 1 条');
    expect(await t.say('审计 很多')).toContain('「条数」应为数字');
  });
});
