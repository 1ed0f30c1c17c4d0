import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCount, parseDateText, parseWorkdayCount, type DateContext } from '../../commands/kit/dates';
import { addMonths, localDateOf, localDateReader, startOfLocalDate } from '../../src/lib/dates';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
let ctx: DateContext;

beforeAll(async () => {
  t = await makeBot();
  // Wednesday 2026-11-25, on the real statutory calendar
  const calendar = await t.bot.services.calendar.current();
  ctx = { today: '2026-11-25', addWorkdays: (d, n) => calendar.addWorkdays(d, n) };
});
afterAll(() => t.close());

describe('parseDateText', () => {
  it.each([
    ['2026-12-01', '2026-12-01'],
    ['2026/12/1', '2026-12-01'],
    ['2026.12.1', '2026-12-01'],
    ['2026年12月1日', '2026-12-01'],
    ['20261201', '2026-12-01'],
    ['12月1日', '2026-12-01'],
    ['12月1号', '2026-12-01'],
    ['12.1', '2026-12-01'],
    ['12-1', '2026-12-01'],
    ['１２月１日', '2026-12-01'],
    ['今天', '2026-11-25'],
    ['明天', '2026-11-26'],
    ['后天', '2026-11-27'],
    ['昨天', '2026-11-24'],
    ['周五', '2026-11-27'],
    ['本周五', '2026-11-27'],
    ['星期一', '2026-11-30'],
    ['下周五', '2026-12-04'],
    ['下周一', '2026-11-30'],
    ['上周五', '2026-11-20'],
    ['3天内', '2026-11-28'],
    ['1个月', '2026-12-25'],
    ['月底', '2026-11-30'],
    ['年底', '2026-12-31'],
    ['5个工作日', '2026-12-02'],
    ['五个工作日内', '2026-12-02'],
    ['0个工作日', '2026-11-25'],
  ])('%s → %s', (text, expected) => {
    expect(parseDateText(text, ctx)).toBe(expected);
  });

  // forms offices write on their slips (issue: what the office sees must be right, item 8)
  it.each([
    ['12月5日前', '2026-12-05'],
    ['2026年12月5日前', '2026-12-05'],
    ['12月5号以前', '2026-12-05'],
    ['12月5日之前', '2026-12-05'],
    ['截至12月5日', '2026-12-05'],
    ['十二月十五日', '2026-12-15'],
    ['2026年十二月十五日', '2026-12-15'],
    ['二〇二六年十二月五日', '2026-12-05'],
    ['二零二六年十二月三十一日', '2026-12-31'],
    ['下周三前', '2026-12-02'],
    ['下个星期三', '2026-12-02'],
    ['明天前', '2026-11-26'],
    ['两周内', '2026-12-09'],
    ['一周内', '2026-12-02'],
    ['3周', '2026-12-16'],
    ['一个星期', '2026-12-02'],
    ['下月10日', '2026-12-10'],
    ['下个月10号', '2026-12-10'],
    ['本月30日', '2026-11-30'],
    ['下月底', '2026-12-31'],
    ['月底前', '2026-11-30'],
    ['本月底前', '2026-11-30'],
    ['年底前', '2026-12-31'],
    ['年内', '2026-12-31'],
    ['即办', '2026-11-25'],
    ['立即', '2026-11-25'],
    ['当日', '2026-11-25'],
    ['当天', '2026-11-25'],
  ])('%s → %s', (text, expected) => {
    expect(parseDateText(text, ctx)).toBe(expected);
  });

  it('reads 下月N日 into the next year in December, and refuses a day the month lacks', () => {
    expect(parseDateText('下月10日', { ...ctx, today: '2026-12-20' })).toBe('2027-01-10');
    expect(parseDateText('下月31日', ctx)).toBe('2026-12-31');
    expect(parseDateText('下月31日', { ...ctx, today: '2026-10-05' })).toBeNull();
  });

  it('counts only N个工作日 forms as working days: 两周内 and 12月5日前 are calendar dates', () => {
    expect(parseDateText('两周内', ctx)).toBe('2026-12-09');
    expect(parseWorkdayCount('两周内', ctx)).toBeNull();
    expect(parseWorkdayCount('12月5日前', ctx)).toBeNull();
    expect(parseDateText('5个工作日内', ctx)).toBe('2026-12-02');
    expect(parseWorkdayCount('5个工作日内', ctx)).toEqual({ count: 5, from: '2026-11-25' });
  });

  it('reads 前 after a day as by that day, and after a span as ago, which stays refused', () => {
    expect(parseDateText('12月5日前', ctx)).toBe('2026-12-05');
    for (const ago of ['3天前', '一周前', '1个月前', '5个工作日前']) expect(parseDateText(ago, ctx), ago).toBeNull();
  });

  it('reads 本月内 as 月底 but keeps refusing 本周内, which may mean Friday or Sunday', () => {
    expect(parseDateText('本月内', ctx)).toBe('2026-11-30');
    expect(parseDateText('本周内', ctx)).toBeNull();
    expect(parseDateText('下周内', ctx)).toBeNull();
  });

  it('refuses Chinese numerals that name no day', () => {
    expect(parseDateText('十二月三十一日', ctx)).toBe('2026-12-31');
    for (const text of ['十三月一日', '二月三十日', '下月三十二日', '二〇二六年十二月', '前', '以前', '月初']) expect(parseDateText(text, ctx), text).toBeNull();
  });

  it('takes the nearest year for a date without one', () => {
    expect(parseDateText('1月10日', { ...ctx, today: '2026-12-20' })).toBe('2027-01-10');
    expect(parseDateText('12月20日', { ...ctx, today: '2027-01-05' })).toBe('2026-12-20');
  });

  it('counts working days across the National Day holiday and its make-up Saturday', () => {
    // 2026-09-30 (Wed) + 1 working day skips 10-01..07 and lands on Thursday 10-08; 10-10 (Sat) is a make-up workday
    expect(parseDateText('1个工作日', { ...ctx, today: '2026-09-30' })).toBe('2026-10-08');
    expect(parseDateText('3个工作日', { ...ctx, today: '2026-09-30' })).toBe('2026-10-10');
  });

  it.each(['2026-02-30', '2026-13-01', '13月1日', '2月30日', 'abc', '', '下周八', '999个工作日', '明年某天', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])('refuses %s', (text) => {
    expect(parseDateText(text, ctx)).toBeNull();
  });
});

describe('parseCount', () => {
  it.each([['3', 3], ['十', 10], ['十五', 15], ['二十', 20], ['二十三', 23], ['两', 2], ['一三', null], ['x', null]])('%s → %s', (text, n) => {
    expect(parseCount(text as string)).toBe(n);
  });
});

describe('localDateReader', () => {
  it('agrees with localDateOf around midnight, going forwards and back, and across a DST change', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin']) {
      const read = localDateReader(zone);
      // 2026-03-28 → 2026-03-30 crosses Berlin's spring change; minutes around each midnight
      const start = startOfLocalDate('2026-03-28', zone);
      const instants = [];
      for (let ms = start - 3_600_000; ms < start + 3 * 86_400_000; ms += 59 * 60_000) instants.push(ms);
      instants.push(start + 86_400_000 - 1, start - 1, start, start + 2 * 86_400_000 + 5);
      for (const ms of [...instants, ...instants.reverse()]) expect([zone, ms, read(ms)]).toEqual([zone, ms, localDateOf(ms, zone)]);
    }
  });
});

describe('addMonths', () => {
  // due dates are three months after assignment: a day the month lacks becomes its last day
  it.each([
    ['2026-03-16', 3, '2026-06-16'],
    ['2026-08-31', 3, '2026-11-30'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2027-03-20', -4, '2026-11-20'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2026-05-17', 0, '2026-05-17'],
  ])('%s + %i months → %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});
