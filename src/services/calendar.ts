// The statutory working-day calendar: the State Council's holidays and make-up workdays (调休)
// from chinese-days, overridden by the admins' 节假日设置 for changes or years it lacks.
import chineseDays from 'chinese-days';
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { calendarOverrides } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addDays, isoWeekday, yearOf, type LocalDate } from '../lib/dates';
import type { Actor } from './actor';
import type { AuditService } from './audit';

// chinese-days answers Monday–Friday for a year it has no data for, without saying so: the
// years its holiday table covers are the ones it really knows.
const DAY_MS = 86_400_000;

const YEARS_WITH_DATA = new Set(Object.keys(calendarData.holidays).map(yearOf));

export function createCalendarService(db: Db, clock: Clock, audit: AuditService, log: Logger) {
  let cache: Map<LocalDate, boolean> | null = null;
  let cachedVersion = -1;
  const warned = new Set<number>();
  const dataVersion = db.$client.prepare('PRAGMA data_version').pluck();

  // Overrides are few; reload them when any connection (the REPL, a job) has committed since.
  function overrides(): Map<LocalDate, boolean> {
    const version = dataVersion.get() as number;
    if (!cache || version !== cachedVersion) {
      cache = new Map(db.select().from(calendarOverrides).all().map((o) => [o.date, o.workday]));
      cachedVersion = version;
      running.clear();
    }
    return cache;
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

  function isWorkday(date: LocalDate): boolean {
    const override = overrides().get(date);
    if (override !== undefined) return override;
    const year = yearOf(date);
    if (YEARS_WITH_DATA.has(year)) return chineseDays.isWorkday(date);
    if (!warned.has(year)) {
      warned.add(year);
      log.warn({ year }, '法定节假日数据缺少该年份，按周一至周五计算工作日；请用「节假日设置」补充');
    }
    return isoWeekday(date) <= 5;
  }

  return {
    isWorkday,

    hasOfficialData(year: number): boolean {
      return YEARS_WITH_DATA.has(year);
    },

    /** The date itself when it is a working day, else the next one. */
    nextWorkdayFrom(date: LocalDate): LocalDate {
      let d = date;
      while (!isWorkday(d)) d = addDays(d, 1);
      return d;
    },

    /** n working days after date (n ≥ 0); day 0 is the date itself, or the next working day. */
    addWorkdays(date: LocalDate, n: number): LocalDate {
      let d = date;
      for (let left = n; left > 0; ) {
        d = addDays(d, 1);
        if (isWorkday(d)) left--;
      }
      return n === 0 ? this.nextWorkdayFrom(d) : d;
    },

    /** Working days after `from` up to and including `to` (negative when to < from). */
    workdaysBetween(from: LocalDate, to: LocalDate): number {
      if (to < from) return -this.workdaysBetween(to, from);
      overrides(); // once per call: drops the tables if any override changed
      const base = yearOf(from);
      return countThrough(to, base) - countThrough(from, base);
    },

    overrideList(): { date: LocalDate; workday: boolean }[] {
      return [...overrides()].map(([date, workday]) => ({ date, workday })).sort((a, b) => (a.date < b.date ? 1 : -1));
    },

    setOverride(date: LocalDate, workday: boolean, actor: Actor): void {
      const before = db.select().from(calendarOverrides).where(eq(calendarOverrides.date, date)).get();
      db.insert(calendarOverrides)
        .values({ date, workday, setBy: actor.personId, setAt: clock.now() })
        .onConflictDoUpdate({ target: calendarOverrides.date, set: { workday, setBy: actor.personId, setAt: sql`excluded.set_at` } })
        .run();
      audit.record(actor, '节假日设置', date, before ? { workday: before.workday } : null, { workday });
      cache = null;
      running.clear();
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
