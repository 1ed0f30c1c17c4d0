// The date forms staff type: 2026-12-01, 2026年12月1日, 12月1日, 12.1, 明天, 下周五, 5个工作日 …
import { addDays, addMonths, daysBetween, isoWeekday, makeDate, yearOf, type LocalDate, type WorkdayCount } from '../../src/lib/dates';

export interface DateContext {
  today: LocalDate;
  addWorkdays(date: LocalDate, n: number): LocalDate;
}

export const DATE_FORMS_HINT = '2026-12-01、12月1日、12.1、明天、下周五、5个工作日';

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 12, 十二, 二十, 两 → number; null for anything else. */
export function parseCount(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  if (!m[2]) return m[1] && !m[3] ? DIGITS[m[1]]! : null;
  return (m[1] ? DIGITS[m[1]]! : 1) * 10 + (m[3] ? DIGITS[m[3]]! : 0);
}

const RELATIVE_DAYS: Record<string, number> = { 前天: -2, 昨天: -1, 昨日: -1, 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3 };
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };

/** Of 12月1日 without a year: the nearest such day to today, so in December 1月10日 means next January. */
function nearestYear(month: number, day: number, today: LocalDate): LocalDate | null {
  const year = yearOf(today);
  const options = [year - 1, year, year + 1].map((y) => makeDate(y, month, day)).filter((d): d is LocalDate => d !== null);
  if (options.length === 0) return null;
  return options.reduce((best, d) => (Math.abs(daysBetween(today, d)) < Math.abs(daysBetween(today, best)) ? d : best));
}

const squeeze = (input: string) => input.normalize('NFKC').replace(/\s+/g, '');

/** 5个工作日, 十个工作日内 → counted from today; null for any other form. */
export function parseWorkdayCount(input: string, ctx: DateContext): WorkdayCount | null {
  const m = /^(.+?)个?工作日(?:内|后|以内)?$/.exec(squeeze(input));
  const n = m ? parseCount(m[1]!) : null;
  return n === null || n > 400 ? null : { count: n, from: ctx.today };
}

export function parseDateText(input: string, ctx: DateContext): LocalDate | null {
  const text = squeeze(input);
  const { today } = ctx;
  let m: RegExpExecArray | null;

  if ((m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(text))) return makeDate(+m[1]!, +m[2]!, +m[3]!);
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(text))) return makeDate(+m[1]!, +m[2]!, +m[3]!);
  if ((m = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(text))) return nearestYear(+m[1]!, +m[2]!, today);
  // own keys only: __proto__ and constructor are "in" every object
  if (Object.hasOwn(RELATIVE_DAYS, text)) return addDays(today, RELATIVE_DAYS[text]!);

  if ((m = /^(本|这|下下|下|上)?(?:周|星期|礼拜)([一二三四五六日天1-7])$/.exec(text))) {
    const target = WEEKDAYS[m[2]!]!;
    const monday = addDays(today, 1 - isoWeekday(today));
    const weekShift = { 上: -7, 本: 0, 这: 0, 下: 7, 下下: 14 }[m[1] ?? '本'] ?? 0;
    const date = addDays(monday, weekShift + target - 1);
    // a bare 周五 said on a Saturday means the coming Friday
    return !m[1] && date < today ? addDays(date, 7) : date;
  }

  if (/工作日/.test(text)) {
    const workdays = parseWorkdayCount(text, ctx);
    return workdays && ctx.addWorkdays(workdays.from, workdays.count);
  }
  if ((m = /^(.+?)(?:天|日)(?:内|后|以内)$/.exec(text)) || (m = /^(.+?)天$/.exec(text))) {
    const n = parseCount(m[1]!);
    return n === null || n > 1000 ? null : addDays(today, n);
  }
  if ((m = /^(.+?)个月(?:内|后|以内)?$/.exec(text))) {
    const n = parseCount(m[1]!);
    return n === null || n > 24 ? null : addMonths(today, n);
  }
  if (text === '月底' || text === '本月底') return addDays(addMonths(`${today.slice(0, 7)}-01`, 1), -1);
  if (text === '年底' || text === '本年底') return `${today.slice(0, 4)}-12-31`;
  return null;
}
