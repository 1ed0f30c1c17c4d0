// Two instances changing the state of one 督办件, 建议 or 公文 at the same moment: the second
// change waits for the first to commit and is then judged on what the first left, refused with the
// message it would get a moment later, or carried out on top of it. Without the row lock both read
// the old state and both write (PostgreSQL's READ COMMITTED; SQLite's writes take turns).
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot';
import { systemActor } from '../../src/services/actor';
import { makeBot, type TestBot } from '../helpers';
import { otherInstance } from '../fixtures/other-instance';
import { race as raceOn } from './races';

type Services = Bot['services'];
type Change = (services: Services) => Promise<unknown>;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const actor = systemActor('test');

/** A bot, and a second instance on its database with its clock, as another process would run it. */
async function twoInstances(): Promise<{ t: TestBot; other: Bot }> {
  const t = await makeBot(); // Wednesday 2026-11-25
  cleanups.push(() => t.close());
  return { t, other: await otherInstance(t, cleanups) };
}

/** A change on its own, in its transaction, as someone would make it after the race; null when made, else the message it was refused with. */
async function attempt(bot: Bot, change: Change): Promise<string | null> {
  return bot.db.tx(() => change(bot.services)).then(
    () => null,
    (error: Error) => error.message,
  );
}

/** `first` on t's instance, then `second` on the other while the first is uncommitted (tests/postgres/races.ts); what refused `second`, if anything. */
async function race(t: TestBot, other: Bot, first: Change, second: Change): Promise<string | null> {
  const [, outcome] = await raceOn(t, () => first(t.bot.services), () => attempt(other, second));
  return outcome as string | null;
}

describe('督办 changed by two instances at once', () => {
  const ITEM = 'DB-2026-0001';
  async function item() {
    const { t, other } = await twoInstances();
    await t.say('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@console:li');
    await t.say('授权 console:wang 角色=领导');
    await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:wang 牵头单位=县住建局 时限=2026-12-31 反馈周期=每周');
    return { t, other };
  }

  it('refuses a 反馈 that was under way when the item was closed, leaving it closed', async () => {
    const { t, other } = await item();
    await t.say(`督办反馈 ${ITEM} 已召开专题会议`);
    const feedback: Change = (s) => s.supervision.feedback(ITEM, '方案初稿完成', actor);
    const refused = await race(t, other, (s) => s.supervision.close(ITEM, '已完成', actor), feedback);
    expect(refused).toBe(`${ITEM} 已办结，不再接收反馈`);
    expect(refused).toBe(await attempt(t.bot, feedback));
    expect(await t.rows('SELECT status, result FROM supervision_items')).toEqual([{ status: 'closed', result: '已完成' }]);
    expect(await t.column('SELECT text FROM supervision_feedback')).toEqual(['已召开专题会议']);
  });

  it('closes an item once the first 反馈, under way, has come in', async () => {
    const { t, other } = await item();
    const refused = await race(t, other, (s) => s.supervision.feedback(ITEM, '已召开专题会议', actor), (s) => s.supervision.close(ITEM, '已完成', actor));
    expect(refused).toBeNull();
    expect(await t.rows('SELECT status, last_feedback_date, result FROM supervision_items')).toEqual([{ status: 'closed', last_feedback_date: '2026-11-25', result: '已完成' }]);
    expect(await t.column('SELECT text FROM supervision_feedback')).toEqual(['已召开专题会议']);
  });

  it('applies one decision on an extension request, refusing the second', async () => {
    const { t, other } = await item();
    await t.say(`督办延期 ${ITEM} 新时限=2027-01-15 理由=需等待省级资金下达`);
    const reject: Change = (s) => s.supervision.decideExtension(ITEM, false, '请按原时限办结', actor);
    const refused = await race(t, other, (s) => s.supervision.decideExtension(ITEM, true, undefined, actor), reject);
    expect(refused).toBe(`${ITEM} 没有等待审批的延期申请`);
    expect(refused).toBe(await attempt(t.bot, reject));
    expect(await t.rows('SELECT status, decision_reason FROM supervision_extensions')).toEqual([{ status: 'approved', decision_reason: null }]);
    expect(await t.column('SELECT deadline FROM supervision_items')).toEqual(['2027-01-15']);
  });

  it('keeps one extension request pending, refusing the second', async () => {
    const { t, other } = await item();
    const another: Change = (s) => s.supervision.requestExtension(ITEM, '2027-01-31', '还需协调资金', actor);
    const refused = await race(t, other, (s) => s.supervision.requestExtension(ITEM, '2027-01-15', '需等待省级资金下达', actor), another);
    expect(refused).toBe(`${ITEM} 已有一项延期申请（至 2027-01-15）等待领导审批`);
    expect(refused).toBe(await attempt(t.bot, another));
    expect(await t.rows('SELECT new_deadline, status FROM supervision_extensions')).toEqual([{ new_deadline: '2027-01-15', status: 'pending' }]);
  });
});

describe('a calendar change beside another change', () => {
  // 10 working days from Wednesday 2026-11-25: Wednesday 2026-12-09
  async function counted() {
    const { t, other } = await twoInstances();
    await t.say('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@console:li');
    await t.say('授权 console:wang 角色=领导');
    await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:wang 牵头单位=县住建局 时限=10个工作日 反馈周期=每周');
    expect(await t.column('SELECT deadline FROM supervision_items')).toEqual(['2026-12-09']);
    return { t, other };
  }

  it('leaves an extension approved while the calendar was recounted at what was approved', async () => {
    const { t, other } = await counted();
    await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=需等待省级资金下达');
    const refused = await race(t, other, (s) => s.supervision.decideExtension('DB-2026-0001', true, undefined, actor), (s) => s.calendarChanges.setDay('2026-12-01', false, actor));
    expect(refused).toBeNull();
    expect(await t.rows('SELECT deadline, deadline_workdays FROM supervision_items')).toEqual([{ deadline: '2027-01-15', deadline_workdays: null }]);
    expect(await t.scalar<number>("SELECT count(*)::int FROM audit_log WHERE action = '办理时限随节假日调整'")).toBe(0);
  });

  it('counts both days of two 节假日设置 made at once', async () => {
    const { t, other } = await counted();
    const refused = await race(t, other, (s) => s.calendarChanges.setDay('2026-12-01', false, actor), (s) => s.calendarChanges.setDay('2026-12-02', false, actor));
    expect(refused).toBeNull();
    // two working days fewer before the tenth: Friday 2026-12-11
    expect(await t.column('SELECT deadline FROM supervision_items')).toEqual(['2026-12-11']);
  });
});

describe('建议 changed by two instances at once', () => {
  async function suggestion() {
    const { t, other } = await twoInstances();
    await t.say('单位新增 名称=县水利局 联络员=@console:shui');
    await t.say('建议登记 编号=12 标题=关于加强农村饮水安全保障的建议 代表=张三 主办单位=县水利局 交办日期=2026-03-20');
    return { t, other };
  }

  it('keeps the first evaluation, refusing the second', async () => {
    const { t, other } = await suggestion();
    await t.say('建议答复 12 类别=A 答复日期=2026-06-20');
    const unsatisfied: Change = (s) => s.proposals.evaluate('建议', '12', '不满意', actor);
    const refused = await race(t, other, (s) => s.proposals.evaluate('建议', '12', '满意', actor), unsatisfied);
    expect(refused).toBe('JY-2026-012 已评价为「满意」');
    expect(refused).toBe(await attempt(t.bot, unsatisfied));
    expect(await t.rows('SELECT status, round, evaluation FROM proposals')).toEqual([{ status: 'evaluated', round: 1, evaluation: '满意' }]);
    expect(await t.scalar<number>('SELECT count(*)::int FROM proposal_rounds')).toBe(0);
  });

  it('registers a number once when two instances register it at once, refusing the second as a repeat', async () => {
    const { t, other } = await twoInstances();
    await t.say('单位新增 名称=县水利局 联络员=@console:shui');
    const register: Change = (s) =>
      s.proposals.register({ kind: '建议', number: 7, title: '关于修缮乡村道路的建议', proposers: '李四', leadUnit: '县水利局', coUnits: [], assignedDate: '2026-03-20' }, actor);
    const refused = await race(t, other, register, register);
    expect(refused).toBe('建议编号 7（2026年）已登记为 JY-2026-007');
    expect(await t.column('SELECT reg_no FROM proposals')).toEqual(['JY-2026-007']);
  });

  it('takes an evaluation given while the answer was being recorded', async () => {
    const { t, other } = await suggestion();
    const refused = await race(t, other, (s) => s.proposals.answer('建议', '12', { answerClass: 'A', date: '2026-06-20' }, actor), (s) => s.proposals.evaluate('建议', '12', '满意', actor));
    expect(refused).toBeNull();
    expect(await t.rows('SELECT status, answer_class, evaluation FROM proposals')).toEqual([{ status: 'evaluated', answer_class: 'A', evaluation: '满意' }]);
  });
});

describe('公文 changed by two instances at once', () => {
  it('refuses a 分办 that was under way when the document was closed, leaving it closed', async () => {
    const { t, other } = await twoInstances();
    await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室');
    const assign: Change = (s) => s.documents.assign('SW-2026-0001', '应急局', undefined, actor);
    const refused = await race(t, other, (s) => s.documents.close('SW-2026-0001', '已部署落实', actor), assign);
    expect(refused).toBe('SW-2026-0001 已办结，不能再分办');
    expect(refused).toBe(await attempt(t.bot, assign));
    expect(await t.rows('SELECT status, handling_unit_id, result FROM documents')).toEqual([{ status: 'closed', handling_unit_id: null, result: '已部署落实' }]);
  });
});
