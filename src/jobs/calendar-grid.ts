// A year's working days as twelve month grids, Monday first, for `npm run calendar -- show` (as
// text) and the console's 节假日 page (as HTML tables), with the year's holidays and where its days
// come from. Pure: every day comes from a lookup (the calendar service's day()), so what is shown
// is what deadlines are counted with.
import { addDays, formatChineseDate, isoWeekday, makeDate, yearOf, type LocalDate } from '../lib/dates';
import type { Day } from '../services/calendar';

export type DayLookup = (date: LocalDate) => Day;

/** How a day is shown: worked, a weekend, a day off (a holiday's, or a weekday made one: 休), a weekend worked (班). */
export type Mark = 'work' | 'weekend' | 'off' | 'makeup';

export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
/** What stands beside the day's number: a letter for the days that differ from the weekday rule, none for the rest. */
export const MARK_SIGN: Record<Mark, string> = { work: '', weekend: '', off: '休', makeup: '班' };
export const MARK_NAME: Record<Mark, string> = { work: '工作日', weekend: '周末', off: '放假', makeup: '调休上班' };

export function markOf(day: Day): Mark {
  const weekend = isoWeekday(day.date) >= 6;
  if (day.workday) return weekend ? 'makeup' : 'work';
  // a holiday's Saturday and Sunday are its days off too, as the notice counts them (共3天)
  return weekend && !day.holiday ? 'weekend' : 'off';
}

/** The month's days in weeks of seven, Monday first; null before the 1st and after the last day. */
export function monthWeeks(year: number, month: number): (LocalDate | null)[][] {
  const first = makeDate(year, month, 1)!;
  const cells: (LocalDate | null)[] = Array.from({ length: isoWeekday(first) - 1 }, () => null);
  for (let d = first; Number(d.slice(5, 7)) === month; d = addDays(d, 1)) cells.push(d);
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
}

function yearDays(year: number): LocalDate[] {
  const days: LocalDate[] = [];
  for (let d = makeDate(year, 1, 1)!; yearOf(d) === year; d = addDays(d, 1)) days.push(d);
  return days;
}

// A text cell is five columns: the number's two digits at columns 1–2 in every kind of day, so
// the columns line up; a weekend's number in brackets, 休 and 班 (two columns wide) after it.
const CELL = 5;
function textCell(day: Day): string {
  const n = String(Number(day.date.slice(8)));
  const mark = markOf(day);
  if (mark === 'weekend') return n.length === 1 ? ` (${n}) ` : `(${n}) `;
  return `${n.padStart(3)}${MARK_SIGN[mark] || '  '}`;
}

/** Columns a string takes in a terminal: CJK characters take two. */
function columns(s: string): number {
  return [...s].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
}

function centred(s: string, width: number): string {
  const left = Math.floor((width - columns(s)) / 2);
  return `${' '.repeat(left)}${s}${' '.repeat(width - left - columns(s))}`;
}

export const LEGEND = `图例：  9 ${MARK_NAME.work}    (9) ${MARK_NAME.weekend}    9${MARK_SIGN.off} ${MARK_NAME.off}（节假日，或设置为休息日）    9${MARK_SIGN.makeup} ${MARK_NAME.makeup}`;

/**
 * The year as text, `perRow` months side by side (three take 111 columns, two 73). `paint` may
 * wrap a cell (in ANSI colour, say); the layout counts only the cell's own five columns.
 */
export function yearGridLines(year: number, day: DayLookup, options: { perRow?: number; paint?: (mark: Mark, cell: string) => string } = {}): string[] {
  const { perRow = 3, paint = (_m: Mark, cell: string) => cell } = options;
  const width = CELL * 7;
  const blank = ' '.repeat(width);
  const month = (m: number): string[] => {
    const weeks = monthWeeks(year, m).map((week) => week.map((d) => (d ? paint(markOf(day(d)), textCell(day(d))) : ' '.repeat(CELL))).join(''));
    // six rows for every month, so that the months beside it stay level
    return [centred(`${m}月`, width), WEEKDAYS.map((w) => ` ${w}  `).join(''), ...weeks, ...Array.from({ length: 6 - weeks.length }, () => blank)];
  };
  const lines: string[] = [];
  for (let first = 1; first <= 12; first += perRow) {
    const blocks = Array.from({ length: Math.min(perRow, 13 - first) }, (_, i) => month(first + i));
    if (first > 1) lines.push('');
    for (let row = 0; row < blocks[0]!.length; row++) lines.push(blocks.map((b) => b[row]).join('   ').trimEnd());
  }
  return lines;
}

export interface YearHoliday {
  name: string;
  off: LocalDate[];
  work: LocalDate[];
}

/** The holidays the year's days belong to, in the order of their first day off, with their days off and make-up working days. */
export function holidaysOf(year: number, day: DayLookup): YearHoliday[] {
  const found = new Map<string, YearHoliday>();
  for (const d of yearDays(year)) {
    const { holiday, workday } = day(d);
    if (!holiday) continue;
    const h = found.get(holiday) ?? found.set(holiday, { name: holiday, off: [], work: [] }).get(holiday)!;
    (workday ? h.work : h.off).push(d);
  }
  const first = (h: YearHoliday) => h.off[0] ?? h.work[0]!;
  return [...found.values()].sort((a, b) => (first(a) < first(b) ? -1 : 1));
}

/** Dates in runs as the notice writes them: 2月5日至12日、9月30日至10月6日. */
function runs(dates: LocalDate[]): string {
  const groups: LocalDate[][] = [];
  for (const d of dates) {
    const group = groups.at(-1);
    if (group && addDays(group.at(-1)!, 1) === d) group.push(d);
    else groups.push([d]);
  }
  return groups
    .map((g) => {
      const [first, last] = [g[0]!, g.at(-1)!];
      if (g.length === 1) return formatChineseDate(first, false);
      return `${formatChineseDate(first, false)}至${first.slice(5, 7) === last.slice(5, 7) ? `${Number(last.slice(8))}日` : formatChineseDate(last, false)}`;
    })
    .join('、');
}

/** 春节：2月5日至12日放假，共 8 天；2月14日（周日）、2月20日（周六）上班 */
export function holidayLine(h: YearHoliday): string {
  const work = h.work.map((d) => `${formatChineseDate(d, false)}（周${WEEKDAYS[isoWeekday(d) - 1]}）`).join('、');
  return `${h.name}：${h.off.length ? `${runs(h.off)}放假，共 ${h.off.length} 天` : '不放假'}${work ? `；${work}上班` : ''}`;
}

/** Where the year's days come from, as day() says of each. */
export function sourceLine(year: number, day: DayLookup): string {
  const count = { override: 0, notice: 0, library: 0, weekday: 0 };
  for (const d of yearDays(year)) count[day(d).source]++;
  if (!count.notice && !count.library) {
    return `${year}年没有节假日数据（没有导入国务院办公厅的放假通知，chinese-days 也没有这一年），工作日暂按周一至周五计算${count.override ? `，另有节假日设置 ${count.override} 天` : ''}。`;
  }
  const from = [
    count.notice ? `已导入的国务院办公厅放假通知（涉及 ${count.notice} 天）` : '',
    count.library ? `chinese-days 收录的国务院通知（涉及 ${count.library} 天）` : '',
    count.override ? `节假日设置（${count.override} 天，优先）` : '',
  ].filter(Boolean);
  return `${year}年的节假日和调休来自：${from.join('；')}；其余日子按周一至周五。`;
}
