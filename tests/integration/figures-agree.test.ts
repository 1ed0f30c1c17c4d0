// One definition per figure: the 年度统计 card and its sentences, the weekly report, 建议统计 and the
// ledger all say the same of the same items. Three 建议 of 2026: one answered on time (满意), one
// answered late (基本满意, then 不满意 and answered again on time), one never answered and overdue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { weekOf, yearPeriod } from '../../src/services/stats';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const on = async (local: string, ...commands: string[]) => {
  t.clock.set(Date.parse(`${local}T10:00:00+08:00`));
  const replies: string[] = [];
  for (const c of commands) replies.push(await t.say(c));
  return replies.join('\n');
};

beforeAll(async () => {
  t = await makeBot({ now: '2026-03-02T10:00:00+08:00' });
  await t.say('单位新增 名称=县水利局 简称=水利局 联络员=@console:li');
  // 交办 2026-03-02: due three months on, 2026-06-02
  await on('2026-03-02', '建议登记 编号=1 标题=甲 代表=张三 主办单位=水利局', '建议登记 编号=2 标题=乙 代表=李四 主办单位=水利局', '建议登记 编号=3 标题=丙 代表=王五 主办单位=水利局');
  await on('2026-05-10', '建议答复 1 类别=A 内容=已解决');
  await on('2026-07-01', '建议答复 2 类别=B 内容=正在解决');
  await on('2026-07-05', '建议评价 1 满意', '建议评价 2 基本满意');
  t.clock.set(Date.parse('2026-11-25T10:00:00+08:00'));
});
afterAll(() => t.close());

describe('the figures of 建议提案', () => {
  it('are the same in the 年度统计 card and in its sentences', async () => {
    const reply = await t.say('年度统计 2026');
    // decided: 1 on time, 2 late, 3 overdue without an answer
    expect(reply).toContain('按时答复率：33.3%（1/3');
    expect(reply).toContain('满意率（含基本满意）：100.0%（2/2');
    expect(reply).toContain('其中满意：50.0%（1/2');
    expect(reply).toContain('按时答复率 33.3%，满意率 100.0%（其中满意 50.0%、基本满意 50.0%）。');
  });

  it('count a late item in the week its due date passed, answered late since or not, so a past week never changes', async () => {
    const week = async (day: string) => (await t.bot.services.stats.report(weekOf(day), systemActor('test'))).current.proposals;
    expect((await week('2026-06-02')).answeredOnTime).toEqual({ count: 0, of: 2 }); // 乙 (answered 07-01) and 丙 (never)
    expect((await week('2026-07-01')).answeredOnTime).toEqual({ count: 0, of: 0 });
    expect((await week('2026-07-01')).answered).toBe(1); // 乙's answer, given that week
    expect((await week('2026-05-10')).answeredOnTime).toEqual({ count: 1, of: 1 });
  });

  it('are the same in 建议统计 for the year', async () => {
    const reply = await t.say('建议统计 2026');
    expect(reply).toContain('按时答复率：33.3%（1/3）');
    expect(reply).toContain('满意率（含基本满意）：100.0%（2/2）');
    expect(reply).toContain('县水利局：3 件，已答复 2，按时 33.3%（1/3），满意率 100.0%（2/2）');
  });

  it('say 按时答复=否 in the ledger for an item whose first answer was late, however its later round went', async () => {
    await on('2026-07-06', '建议评价 2 不满意');
    await on('2026-07-10', '建议答复 2 类别=A 内容=已解决');
    t.clock.set(Date.parse('2026-11-25T10:00:00+08:00'));
    const [sheet] = await t.bot.services.ledgers.sheets('建议', 2026, null);
    const onTime = sheet!.columns.findIndex((c) => c.header === '按时答复');
    expect(sheet!.rows.map((r) => [r[0], r[onTime]])).toEqual([
      ['JY-2026-001', '是'],
      ['JY-2026-002', '否'],
      ['JY-2026-003', null],
    ]);
    const r = await t.bot.services.stats.report(yearPeriod(2026), systemActor('test'));
    expect(r.current.proposals.answeredOnTime).toEqual({ count: 1, of: 3 });
  });
});
