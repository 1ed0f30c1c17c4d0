// Business dates are 'YYYY-MM-DD' strings: they compare as strings, survive JSON and SQLite
// untouched, and never shift with the process time zone. Arithmetic runs on UTC midnights.
import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';

export type LocalDate = string;

/** A span given as N个工作日: N and the day it is counted from. */
export interface WorkdayCount {
  count: number;
  from: LocalDate;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtc(date: LocalDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

// A UTC midnight's ISO string begins with its date; formatting it through the time-zone machinery
// cost more than all the rest of a spreadsheet row's checks.
function fromUtc(d: Date): LocalDate {
  return d.toISOString().slice(0, 10);
}

/** The local calendar date of an instant in the given IANA time zone. */
export function localDateOf(ms: number, timeZone: string): LocalDate {
  return format(new TZDate(ms, timeZone), 'yyyy-MM-dd');
}

/**
 * localDateOf for the clock's successive readings: every message asks for today, and working
 * it out through the time-zone database is a good part of a cheap command's cost, so the date
 * is worked out once per local day.
 */
export function localDateReader(timeZone: string): (ms: number) => LocalDate {
  let day: { date: LocalDate; from: number; until: number } | null = null;
  return (ms) => {
    if (!day || ms < day.from || ms >= day.until) {
      const date = localDateOf(ms, timeZone);
      day = { date, from: startOfLocalDate(date, timeZone), until: startOfLocalDate(addDays(date, 1), timeZone) };
    }
    return day.date;
  };
}

/** The instant a local date begins in the given time zone. */
export function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, timeZone).getTime();
}

export function formatLocalDateTime(ms: number, timeZone: string): string {
  return format(new TZDate(ms, timeZone), 'yyyy-MM-dd HH:mm');
}

/** Builds a date from parts, or null when they name no real day (2月30日). */
export function makeDate(year: number, month: number, day: number): LocalDate | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2999) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return fromUtc(d);
}

export function isLocalDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  return m !== null && makeDate(Number(m[1]), Number(m[2]), Number(m[3])) === s;
}

// Day arithmetic on UTC midnights is exact and cheap; reminders and statistics do it 100,000s of times.
const DAY_MS = 86_400_000;

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(toUtc(date).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same day months later, or that month's last day when it has none (01-31 + 1 = 02-28), as date-fns counts. */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const from = toUtc(date);
  const last = new Date(from.getTime());
  // day 0 of the month after is the last day of the month wanted
  last.setUTCMonth(from.getUTCMonth() + months + 1, 0);
  if (from.getUTCDate() < last.getUTCDate()) last.setUTCDate(from.getUTCDate());
  return fromUtc(last);
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS);
}

/** 1 = Monday … 7 = Sunday */
export function isoWeekday(date: LocalDate): number {
  return toUtc(date).getUTCDay() || 7;
}

export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

/** 12月1日 style, as staff write dates in replies. */
export function formatChineseDate(date: LocalDate, withYear = true): string {
  const [y, m, d] = date.split('-').map(Number);
  return withYear ? `${y}年${m}月${d}日` : `${m}月${d}日`;
}
