// Reads the State Council's yearly notice (《国务院办公厅关于YYYY年部分节假日安排的通知》) into
// the days it gives off and the weekend days it makes working days. The notice has kept one form
// for years ("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"), so it is
// read by that form, strictly: a sentence with a date that is not understood refuses the whole
// text, naming its line, because a calendar half read is worse than none. What the text says
// about itself is checked too: each "共N天" against the days read, each （周X） against the date,
// and every holiday its opening sentence announces against the items found.
import { addDays, formatChineseDate, isoWeekday, makeDate, type LocalDate } from '../lib/dates';

export interface NoticeHoliday {
  /** as the item's heading names it: 春节, 中秋节、国庆节 */
  name: string;
  /** days off, in order */
  off: LocalDate[];
  /** weekend days made working days (调休上班) */
  work: LocalDate[];
}

export interface HolidayNotice {
  year: number;
  holidays: NoticeHoliday[];
  /** sentences with a date that only encourage (鼓励…除夕休息) and so change no day */
  advisory: string[];
}

export type NoticeReading = { ok: true; notice: HolidayNotice } | { ok: false; error: string };

class Unreadable extends Error {}

const NUMERALS = '一二三四五六七八九十';
// a heading starts a line or follows a full stop: 初七、周二 inside a sentence is not one
const ITEM = new RegExp(`(?<=^|[。.\\s])([${NUMERALS}]{1,2})、([^\\s:：、，。,.]{1,8}(?:、[^\\s:：、，。,.]{1,8})*)[:：]`, 'g');
const HEADING_ONLY = new RegExp(`^${ITEM.source}$`);
const WEEKDAY_NAMES = '一二三四五六日天';
const STATUTORY_HOLIDAYS = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
const DATE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日/;
const DATE_G = new RegExp(DATE.source, 'g');
const HAS_DATE = /\d{1,2}月\d{1,2}日|\d{1,2}日/;
const CALENDAR_WORDS = /放假|上班|补休|调休|休息/;
// a date (or a range) that a day off or a working day follows: 6月19日（周五）至21日（周日）放假
const DAY_STATEMENT = /\d{1,2}日(?:\([^)]*\))?(?:至(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日(?:\([^)]*\))?)?(?:调休)?(?:放假|上班|补休)/;

/** Full-width letters, digits and punctuation as their ASCII forms; 。、 stay as they are. */
function normalize(text: string): string {
  return text.normalize('NFKC').replace(/\u3000/g, ' ').replace(/\r\n?/g, '\n');
}

const quote = (s: string) => `「${s.length > 60 ? `${s.slice(0, 60)}…` : s}」`;

interface DateCursor {
  year: number;
  month: number | null;
}

/** One date of a clause; the year and month carry over from the date before it (1月1日至3日). */
function readDate(m: RegExpExecArray, cursor: DateCursor, sentence: string): LocalDate {
  if (m[1]) cursor.year = Number(m[1]);
  if (m[2]) cursor.month = Number(m[2]);
  if (cursor.month === null) throw new Unreadable(`「${m[0]}」没有写月份：${quote(sentence)}`);
  const date = makeDate(cursor.year, cursor.month, Number(m[3]));
  if (date === null) throw new Unreadable(`没有「${cursor.year}年${cursor.month}月${m[3]}日」这一天：${quote(sentence)}`);
  return date;
}

/** The notice writes each date's weekday after it, （周四） or （星期四）: a wrong one means a misread or the wrong year. */
function checkWeekdays(raw: string, year: number): void {
  const cursor: DateCursor = { year, month: null };
  const re = new RegExp(`${DATE.source}\\(([^)]*)\\)`, 'g');
  for (const m of raw.matchAll(re)) {
    const date = readDate(m as RegExpExecArray, cursor, raw);
    const named = /(?:周|星期)([一二三四五六日天])/.exec(m[4]!);
    if (!named) continue;
    const said = WEEKDAY_NAMES.indexOf(named[1]!) + 1;
    const is = isoWeekday(date);
    if (Math.min(said, 7) !== is) {
      throw new Unreadable(`${formatChineseDate(date)}是星期${'一二三四五六日'[is - 1]}，通知写的是「${named[0]}」：年份对吗？${quote(raw)}`);
    }
  }
}

/** Every day from one date through another. */
function span(from: LocalDate, to: LocalDate, sentence: string): LocalDate[] {
  if (to < from) throw new Unreadable(`日期范围倒置：${quote(sentence)}`);
  const days: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push(d);
    if (days.length > 40) throw new Unreadable(`假期超过 40 天，不像是节假日安排：${quote(sentence)}`);
  }
  return days;
}

/** The clauses of one holiday item (its text after the heading), into its days. */
function readItem(name: string, body: string, year: number, advisory: string[]): NoticeHoliday {
  const holiday: NoticeHoliday = { name, off: [], work: [] };
  checkWeekdays(body, year);
  const cursor: DateCursor = { year, month: null };
  let total: number | null = null;
  for (const said of body.split(/[。.]/).map((s) => s.trim()).filter(Boolean)) {
    // 鼓励……安排职工在除夕（2月9日）休息: an encouragement, not a day off
    if (said.startsWith('鼓励')) {
      if (HAS_DATE.test(said)) advisory.push(`${said}。`);
      continue;
    }
    // the weekdays are checked; the lunar dates (农历腊月二十八) and weekdays in brackets say nothing more
    const sentence = said.replace(/\([^)]*\)/g, '');
    // the signature and date, when the text came as one line
    if (isFrameLine(sentence.replace(/^国务院办公厅\s*/, ''))) continue;
    if (!HAS_DATE.test(sentence)) {
      if (CALENDAR_WORDS.test(sentence) && !/^(与周末连休|不调休)/.test(sentence)) throw new Unreadable(`「${name}」中有一句没有日期：${quote(said)}`);
      continue;
    }
    for (const clause of sentence.split(/[,，;；]/).map((c) => c.trim()).filter(Boolean)) {
      let m: RegExpExecArray | null;
      if ((m = /^共(\d+)天$/.exec(clause))) {
        total = (total ?? 0) + Number(m[1]);
      } else if (/^(与周末连休|不调休)$/.test(clause)) {
        // no day of its own
      } else if ((m = new RegExp(`^(${DATE.source})(?:至(${DATE.source}))?(?:放假调休|调休放假|放假公休|放假)(?:(\\d+)天)?(?:,?不调休)?$`).exec(clause))) {
        const from = readDate(DATE.exec(m[1]!)!, cursor, sentence);
        const to = m[5] ? readDate(DATE.exec(m[5])!, cursor, sentence) : from;
        const days = span(from, to, sentence);
        holiday.off.push(...days);
        if (m[9] !== undefined) total = (total ?? 0) + Number(m[9]);
      } else if ((m = new RegExp(`^(${DATE.source})补休$`).exec(clause))) {
        holiday.off.push(readDate(DATE.exec(m[1]!)!, cursor, sentence));
      } else if (/上班$/.test(clause) && new RegExp(`^${DATE.source}(?:、${DATE.source})*上班$`).test(clause)) {
        for (const d of clause.matchAll(DATE_G)) holiday.work.push(readDate(d as RegExpExecArray, cursor, sentence));
      } else {
        throw new Unreadable(`「${name}」中这句读不懂：${quote(clause)}`);
      }
    }
  }
  if (holiday.off.length === 0) throw new Unreadable(`「${name}」没有读到放假日期`);
  if (total !== null && total !== holiday.off.length) {
    throw new Unreadable(`「${name}」写的是共${total}天，读到的放假日期是 ${holiday.off.length} 天（${holiday.off.map((d) => formatChineseDate(d, false)).join('、')}）`);
  }
  for (const d of holiday.work) {
    if (isoWeekday(d) <= 5) throw new Unreadable(`「${name}」的上班日 ${formatChineseDate(d)} 本来就是工作日（星期${'一二三四五'[isoWeekday(d) - 1]}），请核对`);
  }
  return holiday;
}

/**
 * Copies from web pages often break an item after its heading (一、元旦：⏎1月1日……): such a line
 * is read with the line that follows it.
 */
function joinedHeadings(lines: string[]): string[] {
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined.at(-1);
    if (previous !== undefined && HEADING_ONLY.test(previous)) joined[joined.length - 1] = previous + line;
    else joined.push(line);
  }
  return joined;
}

/**
 * The days a notice gives off on weekdays are the statutory holidays (a holiday on a weekend is
 * made up on a weekday: 补休) plus one for each weekend day worked (调休). A lost 上班 sentence or
 * a lost range shows here. The statutory days are those of 《全国年节及纪念日放假办法》: 11 a
 * year from 2008, 13 from 2025 (春节 and 劳动节 one more each).
 */
function checkBalance(year: number, holidays: NoticeHoliday[]): void {
  const statutory = year >= 2025 ? 13 : 11;
  const weekdaysOff = holidays.flatMap((h) => h.off).filter((d) => isoWeekday(d) <= 5).length;
  const worked = holidays.flatMap((h) => h.work).length;
  if (weekdaysOff !== statutory + worked) {
    throw new Unreadable(
      `读到的安排不平衡：工作日放假 ${weekdaysOff} 天，应为法定节假日 ${statutory} 天加调休上班 ${worked} 天，共 ${statutory + worked} 天。请核对是否漏粘了某一句“上班”或某段放假日期`,
    );
  }
}

/** The year the notice is for: its title, or the opening sentence (现将2027年元旦、春节……). */
function noticeYear(text: string): number {
  if (/國務院|節假日|辦公廳|關於/.test(text)) throw new Unreadable('这是繁体字的文本：请粘贴中国政府网发布的简体中文原文');
  const m = /关于(\d{4})年部分节假日安排/.exec(text) ?? /现将(\d{4})年/.exec(text) ?? /(\d{4})年(?:部分)?节假日安排/.exec(text);
  if (!m) throw new Unreadable('找不到年份：请连同标题《国务院办公厅关于2027年部分节假日安排的通知》或“现将2027年……”一句一起粘贴');
  return Number(m[1]);
}

/** The lines that carry no day and may hold a date: the issuing date, the title, the opening sentence. */
function isFrameLine(line: string): boolean {
  return /^\d{4}年\d{1,2}月\d{1,2}日$/.test(line) || /节假日安排的通知/.test(line) || /^(经国务院批准,)?现将\d{4}年/.test(line) || /新华社.*电/.test(line);
}

export function readHolidayNotice(input: string): NoticeReading {
  try {
    const text = normalize(input);
    const year = noticeYear(text);
    const holidays: NoticeHoliday[] = [];
    const advisory: string[] = [];
    for (const line of joinedHeadings(text.split('\n').map((l) => l.trim()).filter(Boolean))) {
      const items = [...line.matchAll(ITEM)];
      const before = items.length ? line.slice(0, items[0]!.index) : line;
      // a holiday line whose heading was lost would otherwise go unread
      if (DAY_STATEMENT.test(before)) {
        throw new Unreadable(`这一行读不懂：${quote(line)}`);
      }
      items.forEach((item, i) => {
        const end = i + 1 < items.length ? items[i + 1]!.index : line.length;
        holidays.push(readItem(item[2]!, line.slice(item.index! + item[0].length, end), year, advisory));
      });
    }
    if (holidays.length === 0) throw new Unreadable('没有读到任何一项节假日（应为“一、元旦：1月1日至3日放假调休，共3天。”这样的行）');
    const announced = /现将\d{4}年(.+?)放假(?:调休)?(?:日期)?的具体安排/.exec(text.replace(/\n/g, ''));
    if (announced) {
      const found = holidays.map((h) => h.name).join('、');
      const missing = announced[1]!.split(/、|和/).filter((name) => name && !found.includes(name));
      if (missing.length) throw new Unreadable(`通知开头列出了${missing.join('、')}，但没有读到对应的条目：是否漏粘了几行？`);
    }
    const names = holidays.map((h) => h.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Unreadable(`「${twice}」出现了两次：是否把通知粘贴了两遍？`);
    const missing = STATUTORY_HOLIDAYS.filter((name) => !names.some((n) => n.split('、').includes(name)));
    if (missing.length) throw new Unreadable(`没有读到${missing.join('、')}：通知应列出全部法定节假日，是否漏粘了几行？`);
    const seen = new Map<LocalDate, string>();
    for (const h of holidays) {
      for (const d of [...h.off, ...h.work]) {
        const other = seen.get(d);
        if (other) throw new Unreadable(`${formatChineseDate(d)}在「${other}」和「${h.name}」中都出现了`);
        seen.set(d, h.name);
      }
    }
    checkBalance(year, holidays);
    return { ok: true, notice: { year, holidays, advisory } };
  } catch (error) {
    if (error instanceof Unreadable) return { ok: false, error: error.message };
    throw error;
  }
}
