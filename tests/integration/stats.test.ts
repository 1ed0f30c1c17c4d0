// Every figure against a fixture worked out by hand: two years, and a week that crosses a month
// end (Monday 2026-11-30 to Sunday 2026-12-06).
import { existsSync, readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { weekOf, yearPeriod } from '../../src/services/stats';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const on = async (local: string, ...commands: string[]) => {
  t.clock.set(Date.parse(`${local}T10:00:00+08:00`));
  const replies = [];
  for (const c of commands) replies.push(await t.say(c));
  return replies.join('\n');
};

beforeAll(async () => {
  t = await makeBot({ now: '2025-01-02T10:00:00+08:00' });
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('授权 console:leader 角色=领导');
  // 2025
  await on('2025-03-03', '收文登记 标题=甲 来文单位=市政府 紧急程度=特急 承办单位=应急局 办理时限=2025-03-05');
  await on('2025-03-04', '公文办结 SW-2025-0001');
  await on('2025-04-01', '发文登记 标题=乙 文号=县政发〔2025〕1号 主送=各乡镇');
  await on('2025-05-06', '督办新建 标题=丙 批示领导=console:leader 牵头单位=应急局 时限=2025-05-30');
  await on('2025-05-10', '督办反馈 DB-2025-0001 已部署');
  await on('2025-05-20', '督办办结 DB-2025-0001');
  await on('2025-06-09', '收文登记 标题=丁 来文单位=市政府 承办单位=应急局 办理时限=2025-06-10');
  await on('2025-06-16', '公文办结 SW-2025-0002');
  // 2026: the week before (11-23..11-29)
  await on('2026-11-24', '发文登记 标题=H 文号=县政办发〔2026〕8号 主送=各乡镇');
  await on('2026-11-24', '提案登记 编号=1 标题=L 委员=王五 主办单位=应急局');
  await on('2026-11-25', '督办新建 标题=J 来源=常务会议 牵头单位=应急局 时限=2026-12-02');
  await on('2026-11-27', '收文登记 标题=E 来文单位=市政府 承办单位=应急局 办理时限=2026-12-04');
  // the week (11-30..12-06)
  await on('2026-11-30', '收文登记 标题=C 来文单位=市政府 紧急程度=特急 承办单位=应急局 办理时限=2026-12-01');
  await on('2026-12-01', '公文办结 SW-2026-0002', '发文登记 标题=G 文号=县政办发〔2026〕9号 主送=各乡镇', '督办新建 标题=I 批示领导=console:leader 牵头单位=应急局 时限=2026-12-03', '建议登记 编号=1 标题=K 代表=张三 主办单位=应急局');
  await on('2026-12-02', '收文登记 标题=D 来文单位=市政府 紧急程度=加急 办理时限=2026-12-04', '督办反馈 DB-2026-0002 进展顺利');
  await on('2026-12-03', '公文分办 SW-2026-0003 承办单位=应急局', '公文办结 SW-2026-0001', '督办办结 DB-2026-0002');
  await on('2026-12-04', '建议答复 1 类别=A', '建议评价 1 满意', '提案答复 1 类别=B 答复日期=2026-12-02');
  await on('2026-12-05', '提案评价 1 基本满意');
  await on('2026-12-06', '收文登记 标题=F 来文单位=市政府');
  await on('2026-12-07', '公文办结 SW-2026-0003');
  t.clock.set(Date.parse('2026-12-08T10:00:00+08:00'));
});
afterAll(() => t.close());

const admin = systemActor('test');

describe('the week across the month end', () => {
  it('counts every figure, with the week before beside it', async () => {
    const r = await t.bot.services.stats.report(weekOf('2026-12-02'), admin);
    expect(r.period).toMatchObject({ from: '2026-11-30', to: '2026-12-06' });
    expect(r.current).toEqual({
      documents: { received: 3, receivedBy: { 特急: 1, 加急: 1, 平件: 1 }, issued: 1, issuedBy: { 特急: 0, 加急: 0, 平件: 1 }, closed: 2, closedOnTime: { count: 2, of: 2 }, urgentAtOnce: { count: 1, of: 2 }, averageWorkdays: 2.5 },
      supervision: { created: 1, leaderInstructions: 1, sourceUnstated: 0, closed: 1, closedOnTime: { count: 1, of: 1 }, feedbackEntries: 1, overdue: 1 },
      proposals: { assigned: 1, answered: 2, answeredOnTime: { count: 2, of: 2 }, evaluated: 2, satisfaction: { count: 2, of: 2 }, satisfied: { count: 1, of: 2 }, basicallySatisfied: { count: 1, of: 2 } },
    });
    expect(r.before).toEqual({
      documents: { received: 1, receivedBy: { 特急: 0, 加急: 0, 平件: 1 }, issued: 1, issuedBy: { 特急: 0, 加急: 0, 平件: 1 }, closed: 0, closedOnTime: { count: 0, of: 0 }, urgentAtOnce: { count: 0, of: 0 }, averageWorkdays: null },
      supervision: { created: 1, leaderInstructions: 0, sourceUnstated: 0, closed: 0, closedOnTime: { count: 0, of: 0 }, feedbackEntries: 0, overdue: 0 },
      proposals: { assigned: 1, answered: 0, answeredOnTime: { count: 0, of: 0 }, evaluated: 0, satisfaction: { count: 0, of: 0 }, satisfied: { count: 0, of: 0 }, basicallySatisfied: { count: 0, of: 0 } },
    });
  });

  it('shows them as a compact card with the change, and — where there is nothing to divide', async () => {
    const card = await t.say('本周统计 上周');
    expect(card).toContain('上周统计（2026-11-30 至 2026-12-06）');
    expect(card).toContain('收文：3 件（+2）');
    expect(card).toContain('发文：1 份（持平）');
    expect(card).toContain('按时办结率：100.0%（2/2）');
    expect(card).toContain('急件当日分办：50.0%（1/2）');
    expect(card).toContain('平均办理（工作日）：2.5 天');
    expect(card).toContain('督办逾期：1 件');
    expect(card).toContain('满意率（含基本满意）：100.0%（2/2）');
    expect(card).not.toMatch(/NaN|Infinity|undefined/);
    const empty = await t.say('本周统计'); // the week of 12-07: almost nothing yet
    expect(empty).toContain('按时答复率：—');
    expect(empty).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('the year', () => {
  it('counts 2026 against 2025', async () => {
    const r = await t.bot.services.stats.report(yearPeriod(2026), admin);
    expect(r.current.documents).toEqual({ received: 4, receivedBy: { 特急: 1, 加急: 1, 平件: 2 }, issued: 2, issuedBy: { 特急: 0, 加急: 0, 平件: 2 }, closed: 3, closedOnTime: { count: 2, of: 3 }, urgentAtOnce: { count: 1, of: 2 }, averageWorkdays: 2.7 });
    expect(r.current.supervision).toEqual({ created: 2, leaderInstructions: 1, sourceUnstated: 0, closed: 1, closedOnTime: { count: 1, of: 1 }, feedbackEntries: 1, overdue: 1 });
    expect(r.before.documents).toMatchObject({ received: 2, issued: 1, closed: 2, closedOnTime: { count: 1, of: 2 }, urgentAtOnce: { count: 1, of: 1 }, averageWorkdays: 3 });
    expect(r.before.supervision).toEqual({ created: 1, leaderInstructions: 1, sourceUnstated: 0, closed: 1, closedOnTime: { count: 1, of: 1 }, feedbackEntries: 1, overdue: 0 });
    expect(r.before.proposals).toEqual({ assigned: 0, answered: 0, answeredOnTime: { count: 0, of: 0 }, evaluated: 0, satisfaction: { count: 0, of: 0 }, satisfied: { count: 0, of: 0 }, basicallySatisfied: { count: 0, of: 0 } });
  });

  it('writes the annual report’s sentences, ready to paste', async () => {
    const reply = await t.say('年度统计 2026');
    expect(reply).toContain('年度统计（2026年）');
    expect(reply).toContain('全年收到上级来文 4 件，其中特急 1 件、加急 1 件，急件当日分办率 50.0%，按时办结率 66.7%，平均办理 2.7 个工作日；\n发出各类文件 2 份；');
    expect(reply).toContain('办理督办件 2 件，其中领导批示 1 件，办结 1 件，按时办结率 100.0%，收到承办单位反馈 1 次，年末逾期 1 件；');
    expect(reply).toContain('办理人大代表建议 1 件、政协提案 1 件，均按要求及时答复，满意率 100.0%（其中满意 50.0%、基本满意 50.0%）。');
    const empty = await t.say('年度统计 2024');
    expect(empty).toContain('全年收到上级来文 0 件');
    expect(empty).toContain('按时办结率 —');
    expect(empty).not.toMatch(/NaN|Infinity/);
  });
});

describe('ledgers', () => {
  it('exports a workbook with Chinese headers, dates as dates and one sheet per kind, sent to whoever asked', async () => {
    expect(await t.say('导出 公文 2026')).toContain('正在生成 2026 年公文台账');
    await t.bot.exportWorker.drain();
    await t.bot.dispatcher.flush();
    const sent = t.sent.filter((m) => 'file' in m.reply).at(-1)!;
    expect(sent.target).toEqual({ kind: 'user', userId: 'admin' });
    const file = (sent.reply as { file: { path: string } }).file.path;
    expect(existsSync(file)).toBe(true);
    const sheets = await readXlsxFile(file);
    expect(sheets.map((s) => s.sheet)).toEqual(['收文台账', '发文台账']);
    const [header, ...rows] = sheets[0]!.data;
    expect(header).toEqual(['登记号', '文号', '标题', '来文单位', '紧急程度', '收文日期', '办理时限', '承办单位', '状态', '办结日期', '按时办结', '办理结果', '备注']);
    expect(rows.map((r) => r[0])).toEqual(['SW-2026-0001', 'SW-2026-0002', 'SW-2026-0003', 'SW-2026-0004']);
    const d = rows[2]!;
    expect(d[5]).toEqual(new Date(Date.UTC(2026, 11, 2)));
    expect(d[9]).toEqual(new Date(Date.UTC(2026, 11, 7)));
    expect(d[10]).toBe('否');
    expect(sheets[1]!.data.slice(1).map((r) => r[0])).toEqual(['FW-2026-0001', 'FW-2026-0002']);
  });

  it('freezes the header row and keeps a contact to their unit', async () => {
    await t.say('督办新建 标题=另一单位的事项 牵头单位=应急局 时限=2026-12-31');
    const sheets = await t.bot.services.ledgers.sheets('督办', 2026, null);
    expect(sheets[0]!.rows).toHaveLength(3);
    const { writeLedger } = await import('../../src/jobs/ledger-xlsx');
    const path = `${t.dir}/督办.xlsx`;
    await writeLedger(sheets, path);
    const xml = strFromU8(unzipSync(readFileSync(path))['xl/worksheets/sheet1.xml']!);
    expect(xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    const [sheet] = await readXlsxFile(path);
    expect(sheet!.data[0]!.slice(0, 4)).toEqual(['编号', '标题', '来源', '批示领导']);
    expect(await t.say('导出 督办', 'console:li')).toMatch(/不能使用/);
  });

  it('fills a 督办 row from its units and feedback, co-units in the order its card lists them, and keeps a contact to their unit', async () => {
    await t.say('单位新增 名称=县财政局 简称=财政局');
    await t.say('单位新增 名称=县教育局 简称=教育局');
    await t.say('督办新建 标题=两个配合单位 牵头单位=应急局 配合单位=教育局、财政局 时限=2026-12-31');
    await t.say('督办新建 标题=财政局牵头 牵头单位=财政局 时限=2026-12-31');
    const sheets = await t.bot.services.ledgers.sheets('督办', 2026, null);
    const rows = sheets[0]!.rows;
    expect(rows[1]).toEqual(['DB-2026-0002', 'I', '领导批示', null, null, '县应急管理局', null, '2026-12-01', '2026-12-03', '一次', '已办结', 1, '2026-12-02', '2026-12-03', '是', null]);
    expect(rows[3]!.slice(5, 7)).toEqual(['县应急管理局', '县财政局、县教育局']);
    expect(rows[4]!.slice(5, 7)).toEqual(['县财政局', null]);
    const [scoped] = await t.bot.services.ledgers.sheets('督办', 2026, (await t.bot.services.units.resolve('应急局')).id);
    expect(scoped!.rows.map((r) => r[0])).toEqual(['DB-2026-0001', 'DB-2026-0002', 'DB-2026-0003', 'DB-2026-0004']);
    const { writeLedger } = await import('../../src/jobs/ledger-xlsx');
    const path = `${t.dir}/督办-全部.xlsx`;
    await writeLedger(sheets, path);
    const [written] = await readXlsxFile(path);
    expect(written!.data[2]).toEqual(['DB-2026-0002', 'I', '领导批示', null, null, '县应急管理局', null, new Date(Date.UTC(2026, 11, 1)), new Date(Date.UTC(2026, 11, 3)), '一次', '已办结', 1, new Date(Date.UTC(2026, 11, 2)), new Date(Date.UTC(2026, 11, 3)), '是', null]);
  });
});
