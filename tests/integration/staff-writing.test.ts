// What staff write as offices write it: dates from their slips (12月5日前, 两周内, 即办), a past
// deadline only when they say it has passed (已逾期), units by the name they use (住建局), and
// spaces around the equals sign.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importProposals } from '../../src/jobs/proposal-import';
import { systemActor } from '../../src/services/actor';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const SATURDAY = '2026-11-28T09:00:00+08:00';

// a Saturday: 本周五 is yesterday
beforeEach(async () => {
  t = await makeBot({ now: SATURDAY });
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@console:wang');
  await t.say('授权 console:leader 角色=领导');
});
afterEach(() => t.close());

describe('dates as offices write them', () => {
  it.each([
    ['12月5日前', '2026-12-05'],
    ['2026年12月5日前', '2026-12-05'],
    ['十二月十五日', '2026-12-15'],
    ['下周三前', '2026-12-02'],
    ['两周内', '2026-12-12'],
    ['下月10日', '2026-12-10'],
    ['月底前', '2026-11-30'],
    ['即办', '2026-11-28'],
  ])('registers a 收文 with 办理时限=%s as %s', async (typed, date) => {
    const r = await t.say(`收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=应急局 办理时限=${typed}`);
    expect(r).toContain('已登记收文：SW-2026-0001');
    expect(r).toContain(`办理时限：${date}`);
  });

  it('keeps 5个工作日内 a working-day count, and reads 键 = 值 with spaces', async () => {
    const r = await t.say('收文登记 标题 = 关于报送材料的通知 来文单位 = 市政府办公室 办理时限 = 5个工作日内');
    expect(r).toContain('已登记收文：SW-2026-0001');
    expect(r).toContain('来文单位：市政府办公室');
    expect(r).toContain('办理时限：2026-12-04');
    expect(await t.scalar('SELECT due_workdays FROM documents')).toBe(5);
  });

  it('shows the new forms when a date is not understood', async () => {
    const r = await t.say('收文登记 标题=甲 来文单位=乙 办理时限=本周内');
    expect(r).toContain('「办理时限」无法识别日期「本周内」，可以写：');
    expect(r).toContain('12月5日前');
    expect(r).toContain('两周内');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });
});

describe('a deadline already past', () => {
  it('refuses 本周五 typed on a Saturday, showing the date it was read as, and registers nothing', async () => {
    const r = await t.say('收文登记 标题=关于报送统计数据的通知 来文单位=市统计局 承办单位=应急局 办理时限=本周五');
    expect(r).toContain('「办理时限」读作 2026-11-27（已经过去）');
    expect(r).toContain('办理时限=2026-11-27 已逾期');
    expect(r).toContain('今天（2026-11-28）或以后的日期');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '收文登记'")).toBe(0);
    expect(t.deliveredTo('console:li')).toHaveLength(0);
    // the next registration takes the first number: the refusal used none
    expect(await t.say('收文登记 标题=甲 来文单位=乙')).toContain('SW-2026-0001');
  });

  it('registers a 收文 whose deadline really has passed when the sender says 已逾期', async () => {
    const r = await t.say('收文登记 标题=关于报送统计数据的通知 来文单位=市统计局 承办单位=应急局 办理时限=2026-11-27 已逾期');
    expect(r).toContain('已登记收文：SW-2026-0001');
    expect(r).toContain('办理时限：2026-11-27（逾期 1 天）');
    expect(await t.say('收文登记 标题=乙 来文单位=丙 期限=本周五（已逾期）')).toContain('SW-2026-0002');
  });

  it('refuses 已逾期 on a deadline that has not passed', async () => {
    expect(await t.say('收文登记 标题=甲 来文单位=乙 办理时限=12月5日 已逾期')).toContain('「办理时限」读作 2026-12-05，还没有到期，请去掉「已逾期」');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('applies the same rule to 公文分办 时限', async () => {
    await t.say('收文登记 标题=甲 来文单位=乙 收文日期=2026-11-20');
    const refused = await t.say('公文分办 SW-2026-0001 承办单位=应急局 时限=本周五');
    expect(refused).toContain('「时限」读作 2026-11-27（已经过去）');
    expect(refused).toContain('时限=2026-11-27 已逾期');
    expect(await t.scalar("SELECT count(*) FROM documents WHERE handling_unit_id IS NOT NULL")).toBe(0);
    expect(await t.say('公文分办 SW-2026-0001 承办单位=应急局 时限=本周五 已逾期')).toContain('办理时限：2026-11-27（逾期 1 天）');
  });

  it('refuses a past 督办 时限 even with 已逾期, in the same words, and a past 新时限', async () => {
    for (const typed of ['本周五', '2026-11-27 已逾期']) {
      const r = await t.say(`督办新建 标题=推进老旧小区改造 批示领导=console:leader 牵头单位=县住建局 时限=${typed}`);
      expect(r).toContain('「时限」读作 2026-11-27（已经过去），应为今天（2026-11-28）或以后的日期');
    }
    expect(await t.scalar('SELECT count(*) FROM supervision_items')).toBe(0);
    await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:leader 牵头单位=县住建局 时限=下周一');
    t.clock.set(Date.parse('2026-12-09T09:00:00+08:00'));
    // later than the current 2026-11-30, but already gone
    const r = await t.say('督办延期 DB-2026-0001 新时限=12月8日 理由=资金未到', 'console:wang');
    expect(r).toContain('「新时限」读作 2026-12-08（已经过去），应为今天（2026-12-09）或以后的日期');
    expect(await t.scalar('SELECT count(*) FROM supervision_extensions')).toBe(0);
    expect(await t.say('督办延期 DB-2026-0001 新时限=两周内 理由=资金未到', 'console:wang')).toContain('2026-12-23');
  });

  it('takes a 答复期限 as recorded against its 交办日期: past with a past 交办日期, by chat and by import', async () => {
    const chat = await t.say('建议登记 编号=12 标题=关于加强农村饮水安全的建议 代表=张三 主办单位=应急局 交办日期=2026年三月二十日 答复期限=六月二十日前');
    expect(chat).toContain('已登记建议：JY-2026-012');
    expect(chat).toContain('答复期限：2026-06-20（逾期');
    // with 交办日期 left to today, a 答复期限 read as a past day is refused with that day
    expect(await t.say('建议登记 编号=13 标题=甲 代表=乙 主办单位=应急局 答复期限=本周五')).toContain('「答复期限」2026-11-27 早于交办日期 2026-11-28');
    const report = await importProposals(t.bot.services, Buffer.from('编号,标题,代表,主办单位,交办日期,答复期限\n14,丙,李四,应急局,2025-03-20,2025年六月二十日前\n', 'utf8'), systemActor('npm run import'), 'test');
    expect(report).toMatchObject({ imported: 1, errors: [] });
    expect(await t.column("SELECT due_date FROM proposals WHERE reg_no = 'JY-2025-014'")).toEqual(['2025-06-20']);
  });
});

describe('units by the names staff use', () => {
  it('finds 县住建局 by 住建局 and 住房和城乡建设局, without the 县', async () => {
    for (const typed of ['住建局', '住房和城乡建设局', '应急管理局']) {
      const r = await t.say(`收文登记 标题=甲 来文单位=乙 承办单位=${typed}`);
      expect(r).toContain(typed === '应急管理局' ? '承办单位：县应急管理局' : '承办单位：县住房和城乡建设局');
    }
    expect(await t.say('督办新建 标题=丁 批示领导=console:leader 牵头单位=住建 配合单位=应急管理局 时限=月底')).toMatch(/牵头单位：县住房和城乡建设局[\s\S]*配合单位：县应急管理局/);
  });

  it('does not take a name complete in itself for part of a longer one', async () => {
    await t.say('单位新增 名称=县公安局交警大队');
    expect(await t.say('收文登记 标题=甲 来文单位=乙 承办单位=公安局')).toMatch(/未找到单位「公安局」。您是否要找：.*县公安局交警大队/);
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    expect(await t.say('收文登记 标题=甲 来文单位=乙 承办单位=交警')).toContain('承办单位：县公安局交警大队');
  });

  it('asks which unit when several fit, listing them, and registers nothing', async () => {
    await t.say('单位新增 名称=市住房和城乡建设局 简称=市住建局');
    const r = await t.say('收文登记 标题=甲 来文单位=乙 承办单位=住建局');
    expect(r).toContain('「住建局」可指：县住房和城乡建设局、市住房和城乡建设局，请写全称');
    expect(await t.say('收文登记 标题=甲 来文单位=乙 承办单位=住建')).toContain('「住建」可指：县住房和城乡建设局、市住房和城乡建设局');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    // a city unit is not the county's: 市应急局 is not taken for 县应急管理局
    expect(await t.say('收文登记 标题=甲 来文单位=乙 承办单位=市应急局')).toContain('未找到单位「市应急局」');
  });

  it('单位设置 别名: the alias names the unit, audited, shown in 单位列表, refused when another unit has it', async () => {
    await t.say('单位新增 名称=市住房和城乡建设局 简称=市住建局');
    const set = await t.say('单位设置 县住建局 别名=住建局,建设局');
    expect(set).toContain('已设置 县住房和城乡建设局 的别名：住建局、建设局');
    expect(await t.say('收文登记 标题=甲 来文单位=乙 承办单位=住建局')).toContain('承办单位：县住房和城乡建设局');
    expect(await t.say('公文分办 SW-2026-0001 承办单位 = 建设局')).toContain('已分办');
    expect(await t.say('单位列表')).toContain('县住房和城乡建设局（县住建局）｜联络员：未知姓名｜别名：住建局、建设局');
    const audits = await t.rows("SELECT target, before, after FROM audit_log WHERE action = '单位设置' ORDER BY id");
    expect(audits).toEqual([{ target: '县住房和城乡建设局', before: JSON.stringify({ aliases: [] }), after: JSON.stringify({ aliases: ['住建局', '建设局'] }) }]);

    expect(await t.say('单位设置 市住建局 别名=建设局')).toContain('「建设局」已是 县住房和城乡建设局 的名称、简称或别名');
    expect(await t.say('单位新增 名称=建设局')).toContain('已存在');
    expect(await t.say('单位设置 县住建局 别名=无')).toContain('的别名：无');
    expect(await t.scalar('SELECT count(*) FROM unit_aliases')).toBe(0);
    expect(await t.say('单位设置 县住建局 别名=住建局', 'console:leader')).toContain('不能使用「单位设置」');
  });

  it('resolves a unit without its 县 in a spreadsheet import', async () => {
    const csv = '编号,标题,代表,主办单位,协办单位,交办日期\n1,甲,张三,住建局,应急管理局,2026-11-20\n2,乙,李四,住房和城乡建设局,,2026-11-20\n';
    const report = await importProposals(t.bot.services, Buffer.from(csv, 'utf8'), systemActor('npm run import'), 'test');
    expect(report).toMatchObject({ imported: 2, errors: [] });
    expect(await t.scalar("SELECT count(*) FROM proposal_units pu JOIN units u ON u.id = pu.unit_id WHERE u.name = '县应急管理局'")).toBe(1);
  });
});
