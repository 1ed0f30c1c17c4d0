// Next year's calendar from the State Council's notice, pasted in chat on 2026-11-28 (a Saturday)
// while chinese-days has no 2027: the preview, the confirmation, the open deadlines given in
// working days counted again and their people told; the weekly warning until the import.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job';
import { makeBot, type TestBot } from '../helpers';

const NOTICE_2027 = readFileSync(new URL('../fixtures/notices/made-up-2027.txt', import.meta.url), 'utf8');
const NOTICE_2026 = readFileSync(new URL('../fixtures/notices/2026.txt', import.meta.url), 'utf8');

let t: TestBot;
const at = (local: string) => Date.parse(`${local}+08:00`);

beforeEach(async () => {
  t = await makeBot({ now: '2026-11-28T10:00:00+08:00' });
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局 联络员=@console:wang');
  await t.say('授权 console:zhang 角色=员工');
  await t.say('授权 console:boss 角色=领导');
});
afterEach(() => t.close());

/** The import's number from its preview. */
const importId = (preview: string) => Number(/节假日导入确认 (\d+)/.exec(preview)![1]);

describe('节假日导入', () => {
  it('recounts the open deadlines given in working days, and tells each person once', async () => {
    // 25 working days from 2026-11-28, Monday to Friday: 2027-01-01, which will be 元旦
    const doc = await t.say('收文登记 标题=关于年度考核的通知 来文单位=市政府办公室 承办单位=应急局 办理时限=25个工作日', 'console:zhang');
    expect(doc).toContain('办理时限：2027-01-01');
    expect(doc).toContain('注意：2027年节假日安排尚未导入，按周一至周五计算工作日');
    const item = await t.say('督办新建 标题=推进冬季供暖保障 批示领导=@console:boss 牵头单位=住建局 时限=30个工作日');
    expect(item).toContain('时限：2027-01-08');
    expect(item).toContain('尚未导入');
    expect(await t.say('建议登记 编号=12 标题=关于加强冬季供暖的建议 代表=张三 主办单位=住建局 答复期限=30个工作日')).toContain('尚未导入');
    // a fixed date, and a deadline counted within 2026, stay as they are, and say nothing of 2027
    const fixed = await t.say('收文登记 标题=固定时限的来文 来文单位=市财政局 承办单位=应急局 办理时限=2027-01-01', 'console:zhang');
    expect(fixed).not.toContain('尚未导入');
    expect(await t.say('收文登记 标题=年内办结的来文 来文单位=市财政局 承办单位=应急局 办理时限=5个工作日')).not.toContain('尚未导入');
    const closedDoc = await t.say('收文登记 标题=已办结的来文 来文单位=市财政局 承办单位=应急局 办理时限=25个工作日', 'console:zhang');
    await t.say(`公文办结 ${/SW-2026-\d+/.exec(closedDoc)![0]}`);
    const before = t.sent.length;

    const preview = await t.say(`节假日导入\n${NOTICE_2027}`);
    expect(preview).toContain('2027年节假日安排（待确认');
    expect(preview).toContain('元旦：1月1日—1月3日 放假，共 3 天');
    expect(preview).toContain('春节：2月5日—2月12日 放假，共 8 天；2月14日（周日）、2月20日（周六） 上班');
    expect(preview).toContain('现在 2027 年没有节假日数据，按周一至周五计算。');
    // January 2027: 21 weekdays, less 元旦 (Fri 1st): 20
    expect(preview).toMatch(/每月工作日\*?\*?：1月 20｜2月 16｜/);
    expect(preview).toContain('1月1日（周五）：工作日 → 放假（元旦）');
    expect(preview).toContain('2月14日（周日）：休息日 → 上班（春节调休）');
    expect(preview).toContain('确认后将调整办理时限的在办事项 3 件');
    expect(preview).toContain('2027年1月1日 → 2027年1月4日');
    expect(preview).toContain('2027年1月8日 → 2027年1月11日');
    // shown, not yet in force
    expect(await t.bot.services.calendar.isWorkday('2027-01-01')).toBe(true);
    expect(await t.scalar("SELECT status FROM calendar_notices")).toBe('pending');

    const id = importId(preview);
    const confirmed = await t.say(`节假日导入确认 ${id}`);
    expect(confirmed).toContain('已导入2027年节假日安排');
    expect(confirmed).toContain('已重新计算 3 件在办事项的办理时限');
    expect(await t.bot.services.calendar.isWorkday('2027-01-01')).toBe(false);
    expect(await t.bot.services.calendar.isWorkday('2027-02-20')).toBe(true);
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '关于年度考核的通知'")).toBe('2027-01-04');
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '固定时限的来文'")).toBe('2027-01-01');
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '已办结的来文'")).toBe('2027-01-01');
    expect(await t.scalar("SELECT deadline FROM supervision_items WHERE title = '推进冬季供暖保障'")).toBe('2027-01-11');
    expect(await t.scalar("SELECT due_date FROM proposals WHERE title = '关于加强冬季供暖的建议'")).toBe('2027-01-11');
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '办理时限随节假日调整'")).toBe(3);
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '节假日导入' AND target = '2027年'")).toBe(1);

    // the unit contacts and the registrars, each in one message with their items
    await t.bot.dispatcher.flush();
    const digests = (identity: string) => t.deliveredTo(identity).filter((m) => m.includes('办理时限调整'));
    expect(digests('console:li')).toHaveLength(1);
    expect(digests('console:li')[0]).toContain('因2027年节假日安排公布，以下事项办理时限调整：');
    expect(digests('console:li')[0]).toContain('关于年度考核的通知：2027年1月1日 → 2027年1月4日');
    expect(digests('console:zhang')).toHaveLength(1);
    expect(digests('console:wang')).toHaveLength(1);
    expect(digests('console:wang')[0]).toContain('推进冬季供暖保障：2027年1月8日 → 2027年1月11日');
    expect(digests('console:wang')[0]).toContain('关于加强冬季供暖的建议：2027年1月8日 → 2027年1月11日');
    expect(digests('console:wang')[0]).not.toContain('关于年度考核的通知');
    // the instructing leader too
    expect(digests('console:boss')).toHaveLength(1);
    expect(digests('console:boss')[0]).toContain('推进冬季供暖保障：2027年1月8日 → 2027年1月11日');
    // the registrar of the 督办 and the 建议: both in one message
    expect(digests('console:admin')).toHaveLength(1);
    expect(digests('console:admin')[0]).toMatch(/推进冬季供暖保障[\s\S]*关于加强冬季供暖的建议/);
    expect(t.sent.length).toBeGreaterThan(before);

    // done once; deadlines into 2027 no longer carry the warning
    expect(await t.say(`节假日导入确认 ${id}`)).toContain('已确认过');
    const later = await t.say('收文登记 标题=新来文 来文单位=市政府办公室 办理时限=25个工作日', 'console:zhang');
    expect(later).toContain('办理时限：2027-01-04');
    expect(later).not.toContain('尚未导入');
  });

  it('shows where a notice differs from chinese-days before the notice wins', async () => {
    // as if the official 2026 notice had put the make-up day on Sunday 10月11日, not Saturday the 10th
    const preview = await t.say(`节假日导入 ${NOTICE_2026.replace('10月10日（周六）上班', '10月11日（周日）上班')}`);
    expect(preview).toContain('与现有日历不同的 2 天');
    expect(preview).toContain('10月10日（周六）：上班（国庆节调休） → 休息日');
    expect(preview).toContain('10月11日（周日）：休息日 → 上班（国庆节调休）');
    expect(await t.bot.services.calendar.isWorkday('2026-10-10')).toBe(true);
    await t.say(`节假日导入确认 ${importId(preview)}`);
    expect(await t.bot.services.calendar.isWorkday('2026-10-10')).toBe(false);
    expect(await t.bot.services.calendar.isWorkday('2026-10-11')).toBe(true);
    expect((await t.bot.services.calendar.day('2026-10-10')).source).toBe('weekday');
    expect(await t.bot.services.calendar.isWorkday('2026-09-20')).toBe(true);
  });

  it('replaces earlier 节假日设置 of the year, and refuses a preview the calendar has moved past', async () => {
    await t.say('节假日设置 2027-01-01 休');
    t.clock.advance(60_000);
    const first = await t.say(`节假日导入 ${NOTICE_2027}`);
    expect(first).toContain('确认后不再适用的节假日设置：2027年1月1日休');
    t.clock.advance(60_000);
    await t.say('节假日设置 2027-03-01 休');
    t.clock.advance(60_000);
    expect(await t.say(`节假日导入确认 ${importId(first)}`)).toContain('预览之后又有节假日设置（2027-03-01）');
    const second = await t.say(`节假日导入 ${NOTICE_2027}`);
    expect(await t.say(`节假日导入确认 ${importId(first)}`)).toMatch(/之后又导入过一次/);
    expect(await t.say(`节假日导入确认 ${importId(second)}`)).toContain('已导入2027年节假日安排');
    expect(await t.say(`节假日导入确认 ${importId(first)}`)).toContain('已被之后的导入取代');
    expect(await t.scalar('SELECT count(*) FROM calendar_overrides')).toBe(0);
    expect(await t.bot.services.calendar.isWorkday('2027-03-01')).toBe(true);
  });

  it('holds a 答复期限 at its statutory six months when the recount would pass them', async () => {
    // Monday to Friday, 124 working days from 2026-11-28 end on 2027-05-20, inside the limit of 05-28
    expect(await t.say('提案登记 编号=7 标题=关于完善养老服务的提案 委员=李四 主办单位=住建局 答复期限=124个工作日')).toContain('2027-05-20');
    const preview = await t.say(`节假日导入 ${NOTICE_2027}`);
    expect(preview).toContain('关于完善养老服务的提案：2027年5月20日 → 2027年5月28日（答复期限最长为交办之日起六个月）');
    await t.say(`节假日导入确认 ${importId(preview)}`);
    expect(await t.scalar("SELECT due_date FROM proposals WHERE title = '关于完善养老服务的提案'")).toBe('2027-05-28');
  });

  it('recounts the same deadlines after a single day is set with 节假日设置', async () => {
    // 5 working days from Saturday 2026-11-28: Friday 12-04
    expect(await t.say('收文登记 标题=关于冬季防火的通知 来文单位=市应急局 承办单位=应急局 办理时限=5个工作日')).toContain('办理时限：2026-12-04');
    expect(await t.say('收文登记 标题=定了日子的来文 来文单位=市应急局 承办单位=应急局 办理时限=2026-12-04')).toContain('办理时限：2026-12-04');
    expect(await t.say('节假日设置 2026-12-02 休')).toContain('按工作日给出的办理时限有 1 件随之调整');
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '关于冬季防火的通知'")).toBe('2026-12-07');
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '定了日子的来文'")).toBe('2026-12-04');
    await t.bot.dispatcher.flush();
    const told = t.deliveredTo('console:li').filter((m) => m.includes('办理时限调整'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('因2026年12月2日调整为休息日，以下事项办理时限调整：');
    expect(told[0]).toContain('关于冬季防火的通知：2026年12月4日 → 2026年12月7日');
    // set back: counted back
    expect(await t.say('节假日设置 2026-12-02 班')).toContain('有 1 件随之调整');
    expect(await t.scalar("SELECT due_date FROM documents WHERE title = '关于冬季防火的通知'")).toBe('2026-12-04');
  });

  it('refuses a text it cannot read in full, naming the line, and keeps nothing', async () => {
    const reply = await t.say(`节假日导入 ${NOTICE_2027.replace('放假调休，共8天', '放假调休，共9天')}`);
    expect(reply).toContain('无法导入：「春节」写的是共9天，读到的放假日期是 8 天');
    expect(reply).toContain('例如：节假日导入 国务院办公厅关于2027年部分节假日安排的通知');
    expect(await t.say('节假日导入')).toContain('缺少「通知」');
    expect(await t.scalar('SELECT count(*) FROM calendar_notices')).toBe(0);
  });

  it('is for admins only', async () => {
    expect(await t.say(`节假日导入 ${NOTICE_2027}`, 'console:zhang')).toContain('您的角色（员工）不能使用「节假日导入」');
    expect(await t.say('节假日导入确认 1', 'console:zhang')).toContain('不能使用「节假日导入确认」');
    expect(await t.scalar('SELECT count(*) FROM calendar_notices')).toBe(0);
  });
});

describe('calendar-check', () => {
  const check = async (local: string) => (await runJob(t.bot.services, 'calendar-check', at(local))).summary;
  const warnings = async () => {
    await t.bot.dispatcher.flush();
    return t.deliveredTo('console:admin').filter((m) => m.includes('节假日安排尚未导入'));
  };

  it('warns the admins once a week from 1 November while next year is unknown, and stops after the import', async () => {
    expect((await check('2026-10-26T09:20')).messages).toBe(0); // October: not yet
    expect((await check('2026-11-02T09:20')).messages).toBe(1);
    expect((await check('2026-11-02T09:20')).outcome).toBe('already-ran');
    expect((await check('2026-11-09T09:20')).messages).toBe(1);
    const sent = await warnings();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('2027年节假日安排尚未导入');
    expect(sent[0]).toContain('节假日导入');
    expect(t.deliveredTo('console:zhang').filter((m) => m.includes('尚未导入'))).toHaveLength(0);

    const preview = await t.say(`节假日导入 ${NOTICE_2027}`);
    expect((await check('2026-11-16T09:20')).messages).toBe(1); // shown, not confirmed: still unknown
    await t.say(`节假日导入确认 ${importId(preview)}`);
    expect((await check('2026-11-23T09:20')).messages).toBe(0);
    expect((await check('2026-11-30T09:20')).messages).toBe(0);
    expect(await warnings()).toHaveLength(3);
  });

  it('warns about the current year itself when it has begun without data', async () => {
    expect(await t.bot.services.calendar.missingYears('2027-01-04')).toEqual([2027]);
    expect(await t.bot.services.calendar.missingYears('2026-11-01')).toEqual([2027]);
    expect(await t.bot.services.calendar.missingYears('2026-10-31')).toEqual([]);
    expect((await check('2027-01-04T09:20')).messages).toBe(1);
  });
});
