// Business dates are 'YYYY-MM-DD' strings: they compare as strings, survive JSON and SQLite
// untouched, and never shift with the process time zone. Arithmetic runs in UTC through date-fns.
import { addMonths as fnsAddMonths, format } from 'date-fns';
import { tz, TZDate } from '@date-fns/tz';

export type LocalDate = string;

const utc = tz('UTC');
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtc(date: LocalDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

function fromUtc(d: Date): LocalDate {
  return format(d, 'yyyy-MM-dd', { in: utc });
}

/** The local calendar date of an instant in the given IANA time zone. */
export function localDateOf(ms: number, timeZone: string): LocalDate {
  return format(new TZDate(ms, timeZone), 'yyyy-MM-dd');
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

export function addMonths(date: LocalDate, months: number): LocalDate {
  return fromUtc(fnsAddMonths(toUtc(date), months, { in: utc }));
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
