// The statutory working-day calendar. What decides a day, first to last: an admin's 节假日设置 for
// that day; the State Council's notice for its year as imported (节假日导入); chinese-days' data
// (the same notices, as published in the package); Monday to Friday. A year is known when the
// package has it or a notice for it was imported; an unknown year is counted Monday to Friday and
// said so (missingYears, unknownYearsBetween).
import { randomUUID } from 'node:crypto';
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { calendarNotices, calendarOverrides, meta } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addDays, isoWeekday, yearOf, type LocalDate } from '../lib/dates';
import type { Actor } from './actor';
import type { AuditService } from './audit';
import type { NoticeHoliday } from './holiday-notice';

const DAY_MS = 86_400_000;
const LIBRARY_HOLIDAYS: Record<string, string> = calendarData.holidays;
const LIBRARY_WORKDAYS: Record<string, string> = calendarData.workdays;
// chinese-days answers Monday–Friday for a year it has no data for, without saying so: the
// years its holiday table covers are the ones it really knows.
const LIBRARY_YEARS = new Set(Object.keys(LIBRARY_HOLIDAYS).map(yearOf));

export interface Day {
  date: LocalDate;
  workday: boolean;
  /** the holiday it belongs to (a day off or its make-up working day), if any */
  holiday: string | null;
  source: 'override' | 'notice' | 'library' | 'weekday';
}

/** A confirmed notice: the year it is for, and its days (some may lie in the year before). */
export interface Notice {
  year: number;
  holidays: NoticeHoliday[];
}

/** What the bot knows beyond the weekday rule; a preview evaluates a notice against a copy. */
interface Knowledge {
  overrides: Map<LocalDate, boolean>;
  notices: Notice[];
  noticeDays: Map<LocalDate, { workday: boolean; holiday: string }>;
  noticeYears: Set<number>;
}

/** The one way knowledge is put together, for the calendar in force and for a preview alike. */
function knowledgeOf(overrides: Map<LocalDate, boolean>, notices: Notice[]): Knowledge {
  return { overrides, notices, noticeDays: noticeDays(notices.flatMap((n) => n.holidays)), noticeYears: new Set(notices.map((n) => n.year)) };
}

/** The 节假日设置 a notice replaces once confirmed: those of its year, and of any day it lists. */
export function coveredBy(notice: Notice): (date: LocalDate) => boolean {
  const days = noticeDays(notice.holidays);
  return (date) => yearOf(date) === notice.year || days.has(date);
}

/** "Labour Day,劳动节,1" → 劳动节 */
const libraryName = (entry: string) => entry.split(',')[1] ?? entry;

/**
 * The notice a library entry comes from: its own year's, except a late-December day of 元旦,
 * which the next year's notice gives (2023's 元旦 began on 2022-12-31).
 */
function libraryNoticeYear(date: LocalDate, name: string): number {
  return date.slice(5, 7) === '12' && name === '元旦' ? yearOf(date) + 1 : yearOf(date);
}

function dayWith(k: Knowledge, date: LocalDate): Day {
  const override = k.overrides.get(date);
  if (override !== undefined) return { date, workday: override, holiday: null, source: 'override' };
  const notice = k.noticeDays.get(date);
  if (notice) return { date, workday: notice.workday, holiday: notice.holiday, source: 'notice' };
  const libraryEntry = LIBRARY_WORKDAYS[date] ?? LIBRARY_HOLIDAYS[date];
  if (libraryEntry) {
    const holiday = libraryName(libraryEntry);
    // an imported notice replaces the package's days for its year, those it no longer lists too
    if (!k.noticeYears.has(libraryNoticeYear(date, holiday))) return { date, workday: date in LIBRARY_WORKDAYS, holiday, source: 'library' };
  }
  return { date, workday: isoWeekday(date) <= 5, holiday: null, source: 'weekday' };
}

function noticeDays(holidays: NoticeHoliday[]): Map<LocalDate, { workday: boolean; holiday: string }> {
  const days = new Map<LocalDate, { workday: boolean; holiday: string }>();
  for (const h of holidays) {
    for (const d of h.off) days.set(d, { workday: false, holiday: h.name });
    for (const d of h.work) days.set(d, { workday: true, holiday: h.name });
  }
  return days;
}

/** n working days after date (n ≥ 0) by a given calendar; day 0 is the date itself, or the next working day. */
export function addWorkdaysOn(isWorkday: (date: LocalDate) => boolean, date: LocalDate, n: number): LocalDate {
  let d = date;
  for (let left = n; left > 0; ) {
    d = addDays(d, 1);
    if (isWorkday(d)) left--;
  }
  while (!isWorkday(d)) d = addDays(d, 1);
  return d;
}

/**
 * The calendar as it stood when read, answering synchronously: for code that asks many times (a
 * year of spans for the statistics, the rules of a list of items, the date parser). Get it from
 * the service's current(), once per request: it does not follow later changes.
 */
export interface WorkdayCalendar {
  isWorkday(date: LocalDate): boolean;
  /** The date itself when it is a working day, else the next one. */
  nextWorkdayFrom(date: LocalDate): LocalDate;
  /** n working days after date (n ≥ 0); day 0 is the date itself, or the next working day. */
  addWorkdays(date: LocalDate, n: number): LocalDate;
  /** Working days after `from` up to and including `to` (negative when to < from). */
  workdaysBetween(from: LocalDate, to: LocalDate): number;
  /** One day as the bot counts it, and why. */
  day(date: LocalDate): Day;
  /** Whether the year has the package's data or a confirmed notice. */
  knows(year: number): boolean;
  /** Years without data a span of days runs into (a deadline counted into next year, say). */
  unknownYearsBetween(from: LocalDate, to: LocalDate): number[];
  /** This year if unknown; from 1 November, next year too while unknown. */
  missingYears(today: LocalDate): number[];
  overrideList(): { date: LocalDate; workday: boolean }[];
  /**
   * The days of a year were a notice for it confirmed: it replaces the year's earlier notice and
   * the package's days, and every 节假日设置 of a day it covers (its year, and the days it lists).
   */
  withNotice(year: number, holidays: NoticeHoliday[]): (date: LocalDate) => Day;
}

/** The calendar a body of knowledge makes; `unknownYear` hears of each day counted Monday to Friday for want of data. */
function calendarOf(k: Knowledge, unknownYear: (year: number) => void): WorkdayCalendar {
  const knows = (year: number) => LIBRARY_YEARS.has(year) || k.noticeYears.has(year);

  function isWorkday(date: LocalDate): boolean {
    const day = dayWith(k, date);
    if (day.source === 'weekday' && !knows(yearOf(date))) unknownYear(yearOf(date));
    return day.workday;
  }

  // Per year, the running count of working days through each day: statistics over a year of
  // documents ask for thousands of spans, and a day-by-day walk costs milliseconds each.
  const running = new Map<number, Int32Array>();
  function yearTable(year: number): Int32Array {
    let table = running.get(year);
    if (!table) {
      const start = Date.UTC(year, 0, 1);
      const days = (Date.UTC(year + 1, 0, 1) - start) / DAY_MS;
      table = new Int32Array(days);
      for (let i = 0, count = 0; i < days; i++) {
        if (isWorkday(new Date(start + i * DAY_MS).toISOString().slice(0, 10))) count++;
        table[i] = count;
      }
      running.set(year, table);
    }
    return table;
  }
  /** Working days from the start of baseYear through date. */
  function countThrough(date: LocalDate, baseYear: number): number {
    const year = yearOf(date);
    let count = 0;
    for (let y = baseYear; y < year; y++) count += yearTable(y).at(-1)!;
    const dayOfYear = (Date.UTC(year, Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) - Date.UTC(year, 0, 1)) / DAY_MS;
    return count + yearTable(year)[dayOfYear]!;
  }

  function workdaysBetween(from: LocalDate, to: LocalDate): number {
    if (to < from) return -workdaysBetween(to, from);
    const base = yearOf(from);
    return countThrough(to, base) - countThrough(from, base);
  }

  return {
    isWorkday,
    knows,
    nextWorkdayFrom: (date) => addWorkdaysOn(isWorkday, date, 0),
    addWorkdays: (date, n) => addWorkdaysOn(isWorkday, date, n),
    workdaysBetween,
    day: (date) => dayWith(k, date),
    unknownYearsBetween(from, to) {
      const years: number[] = [];
      for (let y = yearOf(from); y <= yearOf(to); y++) if (!knows(y)) years.push(y);
      return years;
    },
    missingYears(today) {
      const year = yearOf(today);
      return [year, ...(today.slice(5) >= '11-01' ? [year + 1] : [])].filter((y) => !knows(y));
    },
    overrideList: () => [...k.overrides].map(([date, workday]) => ({ date, workday })).sort((a, b) => (a.date < b.date ? 1 : -1)),
    withNotice(year, holidays) {
      const covered = coveredBy({ year, holidays });
      const next = knowledgeOf(new Map([...k.overrides].filter(([d]) => !covered(d))), [...k.notices.filter((n) => n.year !== year), { year, holidays }]);
      return (date) => dayWith(next, date);
    },
  };
}

/**
 * The meta row that names the calendar's state: a new random value in every transaction that
 * changes the overrides or the confirmed notices. A counter would not do: a rolled-back change
 * and another instance's committed one could leave the same number behind different days.
 */
const VERSION_KEY = 'calendar_version';

export function createCalendarService(db: Db, clock: Clock, audit: AuditService, log: Logger) {
  const warned = new Set<number>();
  function unknownYear(year: number): void {
    if (warned.has(year)) return;
    warned.add(year);
    log.warn({ year }, '法定节假日数据缺少该年份，按周一至周五计算工作日；请用「节假日导入」导入国务院通知');
  }

  let cached: { version: string; calendar: WorkdayCalendar } | null = null;

  async function load(): Promise<Knowledge> {
    const overrides = await db.q.select({ date: calendarOverrides.date, workday: calendarOverrides.workday }).from(calendarOverrides);
    const notices = await db.q.select({ year: calendarNotices.year, holidays: calendarNotices.holidays }).from(calendarNotices).where(eq(calendarNotices.status, 'confirmed')).orderBy(asc(calendarNotices.year), asc(calendarNotices.id));
    return knowledgeOf(new Map(overrides.map((o) => [o.date, o.workday])), notices);
  }

  /**
   * The calendar in force. Overrides and notices are few and change rarely; what is kept is read
   * again when the version row says another process, another instance or this one (in the
   * transaction in scope, or since) has changed them. One indexed read a call: every instance
   * sees a change the moment it commits, as a user who just made it expects.
   */
  async function current(): Promise<WorkdayCalendar> {
    const [row] = await db.q.select({ value: meta.value }).from(meta).where(eq(meta.key, VERSION_KEY)).limit(1);
    const version = row?.value ?? '';
    if (cached?.version !== version) cached = { version, calendar: calendarOf(await load(), unknownYear) };
    return cached.calendar;
  }

  /** In the transaction that changes the calendar: every reader's next call loads it again. */
  async function changed(): Promise<void> {
    await db.q
      .insert(meta)
      .values({ key: VERSION_KEY, value: randomUUID() })
      .onConflictDoUpdate({ target: meta.key, set: { value: sql`excluded.value` } });
  }

  return {
    current,

    // The calendar in force, one question at a time; current() for many.
    isWorkday: async (date: LocalDate) => (await current()).isWorkday(date),
    nextWorkdayFrom: async (date: LocalDate) => (await current()).nextWorkdayFrom(date),
    addWorkdays: async (date: LocalDate, n: number) => (await current()).addWorkdays(date, n),
    workdaysBetween: async (from: LocalDate, to: LocalDate) => (await current()).workdaysBetween(from, to),
    day: async (date: LocalDate) => (await current()).day(date),
    knows: async (year: number) => (await current()).knows(year),
    unknownYearsBetween: async (from: LocalDate, to: LocalDate) => (await current()).unknownYearsBetween(from, to),
    missingYears: async (today: LocalDate) => (await current()).missingYears(today),
    overrideList: async () => (await current()).overrideList(),
    withNotice: async (year: number, holidays: NoticeHoliday[]) => (await current()).withNotice(year, holidays),

    /** In the caller's transaction. */
    async setOverride(date: LocalDate, workday: boolean, actor: Actor): Promise<void> {
      const [before] = await db.q.select().from(calendarOverrides).where(eq(calendarOverrides.date, date)).limit(1);
      await db.q
        .insert(calendarOverrides)
        .values({ date, workday, setBy: actor.personId, setAt: clock.now() })
        .onConflictDoUpdate({ target: calendarOverrides.date, set: { workday, setBy: actor.personId, setAt: sql`excluded.set_at` } });
      await audit.record(actor, '节假日设置', date, before ? { workday: before.workday } : null, { workday });
      await changed();
    },

    /**
     * Makes a notice its year's calendar: the year's earlier notice superseded, the overrides it
     * covers removed (returned, for the audit). The caller holds the transaction.
     */
    async adopt(noticeId: number, year: number, holidays: NoticeHoliday[], actor: Actor): Promise<{ date: LocalDate; workday: boolean }[]> {
      const covered = coveredBy({ year, holidays });
      const replaced = (await db.q.select().from(calendarOverrides)).filter((o) => covered(o.date));
      if (replaced.length) await db.q.delete(calendarOverrides).where(inArray(calendarOverrides.date, replaced.map((o) => o.date)));
      // the year's notice in force, and any other preview of it, give way
      await db.q
        .update(calendarNotices)
        .set({ status: 'superseded' })
        .where(and(eq(calendarNotices.year, year), inArray(calendarNotices.status, ['confirmed', 'pending']), ne(calendarNotices.id, noticeId)));
      await db.q
        .update(calendarNotices)
        .set({ status: 'confirmed', confirmedBy: actor.personId, confirmedAt: clock.now() })
        .where(eq(calendarNotices.id, noticeId));
      await changed();
      return replaced.map((o) => ({ date: o.date, workday: o.workday }));
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
