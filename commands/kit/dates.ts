// The date forms staff type: 2026-12-01, 2026年12月1日, 12月5日前, 十二月十五日, 下周三前, 两周内,
// 下月10日, 月底前, 即办, 5个工作日 …
import { addDays, addMonths, daysBetween, isoWeekday, makeDate, yearOf, type LocalDate, type WorkdayCount } from '../../src/lib/dates';

export interface DateContext {
  today: LocalDate;
  addWorkdays(date: LocalDate, n: number): LocalDate;
}

export const DATE_FORMS_HINT = '2026-12-01、12月5日前、下周三前、两周内、下月10日、月底前、5个工作日';

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 12, 十二, 二十, 两 → number; null for anything else. */
export function parseCount(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  if (!m[2]) return m[1] && !m[3] ? DIGITS[m[1]]! : null;
  return (m[1] ? DIGITS[m[1]]! : 1) * 10 + (m[3] ? DIGITS[m[3]]! : 0);
}

/** 2026 or 二〇二六 (a year is read digit by digit) → number. */
function parseYear(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : Number([...text].map((c) => DIGITS[c]).join(''));
}

// 即办 and its kin are what an urgent document's slip says: today
const RELATIVE_DAYS: Record<string, number> = { 前天: -2, 昨天: -1, 昨日: -1, 今天: 0, 今日: 0, 当天: 0, 当日: 0, 即办: 0, 立即: 0, 立即办理: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3 };
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };
const MONTH_SHIFT: Record<string, number> = { 本: 0, 这: 0, 这个: 0, 下: 1, 下个: 1, 下下: 2, 下下个: 2 };

/** Of 12月1日 without a year: the nearest such day to today, so in December 1月10日 means next January. */
function nearestYear(month: number, day: number, today: LocalDate): LocalDate | null {
  const year = yearOf(today);
  const options = [year - 1, year, year + 1].map((y) => makeDate(y, month, day)).filter((d): d is LocalDate => d !== null);
  if (options.length === 0) return null;
  return options.reduce((best, d) => (Math.abs(daysBetween(today, d)) < Math.abs(daysBetween(today, best)) ? d : best));
}

const squeeze = (input: string) => input.normalize('NFKC').replace(/\s+/g, '');

/** The month `shift` months from today's, and its last day. */
function monthOf(today: LocalDate, shift: number): { year: number; month: number; last: LocalDate } {
  const first = addMonths(`${today.slice(0, 7)}-01`, shift);
  return { year: yearOf(first), month: Number(first.slice(5, 7)), last: addDays(addMonths(first, 1), -1) };
}

/** 5个工作日, 十个工作日内 → counted from today; null for any other form. */
export function parseWorkdayCount(input: string, ctx: DateContext): WorkdayCount | null {
  const m = /^(.+?)个?工作日(?:内|后|以内)?$/.exec(squeeze(input));
  const n = m ? parseCount(m[1]!) : null;
  return n === null || n > 400 ? null : { count: n, from: ctx.today };
}

// a month or day in figures or in Chinese numerals: 12, 十二, 三十一
const MD = '(\\d{1,2}|[一二两三四五六七八九十]{1,3})';
const FULL_DATE = new RegExp(`^(\\d{4}|[〇零一二三四五六七八九]{4})[-/.年]${MD}[-/.月]${MD}[日号]?$`);
const MONTH_DAY = new RegExp(`^${MD}[-/.月]${MD}[日号]?$`);
const DAY_OF_MONTH = new RegExp(`^(本|这个?|下下个?|下个?)月${MD}[日号]$`);
/** 前, 以前, 之前, 内 after a day: by that day, the day itself included, as offices mean it */
const BY_SUFFIX = /(?:以前|之前|前|内)$/;
const BY_PREFIX = /^(?:截至|截止到?)/;

/** A day named outright: a date, a weekday, 明天, 月底, 下月10日. */
function namedDay(text: string, today: LocalDate): LocalDate | null {
  let m: RegExpExecArray | null;
  const count = (s: string) => parseCount(s) ?? 0; // 0 is no month or day: makeDate refuses it

  if ((m = FULL_DATE.exec(text))) return makeDate(parseYear(m[1]!), count(m[2]!), count(m[3]!));
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(text))) return makeDate(+m[1]!, +m[2]!, +m[3]!);
  if ((m = MONTH_DAY.exec(text))) return nearestYear(count(m[1]!), count(m[2]!), today);
  // own keys only: __proto__ and constructor are "in" every object
  if (Object.hasOwn(RELATIVE_DAYS, text)) return addDays(today, RELATIVE_DAYS[text]!);

  if ((m = /^(本|这个?|下下个?|下个?|上个?)?(?:周|星期|礼拜)([一二三四五六日天1-7])$/.exec(text))) {
    const target = WEEKDAYS[m[2]!]!;
    const monday = addDays(today, 1 - isoWeekday(today));
    const weekShift = { 上: -7, 本: 0, 这: 0, 下: 7, 下下: 14 }[m[1]?.replace('个', '') ?? '本'] ?? 0;
    const date = addDays(monday, weekShift + target - 1);
    // a bare 周五 said on a Saturday means the coming Friday; 本周五 is this week's, even when gone
    return !m[1] && date < today ? addDays(date, 7) : date;
  }

  if ((m = DAY_OF_MONTH.exec(text))) {
    const { year, month } = monthOf(today, MONTH_SHIFT[m[1]!]!);
    return makeDate(year, month, count(m[2]!));
  }
  if ((m = /^(本|这个?|下下个?|下个?)?月(?:底|末)$/.exec(text)) || (m = /^(本|这个?)?月内$/.exec(text))) return monthOf(today, MONTH_SHIFT[m[1] ?? '本']!).last;
  if (/^(?:本|今)?年(?:底|末|内)$/.test(text)) return `${today.slice(0, 4)}-12-31`;
  return null;
}

/** The end of a span counted from today: 3天内, 两周内, 1个月, 5个工作日. */
function spanEnd(text: string, ctx: DateContext): LocalDate | null {
  let m: RegExpExecArray | null;
  if (/工作日/.test(text)) {
    const workdays = parseWorkdayCount(text, ctx);
    return workdays && ctx.addWorkdays(workdays.from, workdays.count);
  }
  if ((m = /^(.+?)(?:天|日)(?:内|后|以内)$/.exec(text)) || (m = /^(.+?)天$/.exec(text))) {
    const n = parseCount(m[1]!);
    return n === null || n > 1000 ? null : addDays(ctx.today, n);
  }
  if ((m = /^(.+?)个?(?:周|星期|礼拜)(?:内|后|以内)?$/.exec(text))) {
    const n = parseCount(m[1]!);
    return n === null || n > 100 ? null : addDays(ctx.today, 7 * n);
  }
  if ((m = /^(.+?)个月(?:内|后|以内)?$/.exec(text))) {
    const n = parseCount(m[1]!);
    return n === null || n > 24 ? null : addMonths(ctx.today, n);
  }
  return null;
}

export function parseDateText(input: string, ctx: DateContext): LocalDate | null {
  const text = squeeze(input).replace(BY_PREFIX, '');
  // 12月5日前 is 12月5日; a span with 前 (3天前, 一周前) means days ago and stays refused
  return namedDay(text, ctx.today) ?? (BY_SUFFIX.test(text) ? namedDay(text.replace(BY_SUFFIX, ''), ctx.today) : null) ?? spanEnd(text, ctx);
}
