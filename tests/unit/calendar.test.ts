import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { openDatabase, type Db } from '../../db/client';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/logger';
import { systemActor } from '../../src/services/actor';
import { createAuditService } from '../../src/services/audit';
import { createCalendarService } from '../../src/services/calendar';
import { tempDir } from '../helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function calendarOn(db: Db, log: Logger) {
  const clock = new ManualClock(Date.parse('2026-11-25T09:00:00+08:00'));
  return createCalendarService(db, clock, createAuditService(db, clock), log);
}

async function calendar() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const db = await openDatabase(`${dir}/cal.db`);
  cleanups.push(() => db.close());
  const lines: string[] = [];
  const log = createLogger('warn', new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  return { cal: calendarOn(db, log), lines, db };
}

describe('calendar', () => {
  it('knows the 2026 National Day holiday and its make-up workdays', async () => {
    const { cal } = await calendar();
    for (let d = 1; d <= 7; d++) expect(await cal.isWorkday(`2026-10-0${d}`)).toBe(false);
    expect(await cal.isWorkday('2026-10-08')).toBe(true);
    expect(await cal.isWorkday('2026-09-20')).toBe(true); // a Sunday made a workday
    expect(await cal.isWorkday('2026-10-10')).toBe(true); // a Saturday made a workday
    expect(await cal.isWorkday('2026-11-28')).toBe(false); // an ordinary Saturday
  });

  it('adds and counts working days across a holiday', async () => {
    const { cal, db } = await calendar();
    expect(await cal.addWorkdays('2026-09-30', 1)).toBe('2026-10-08');
    expect(await cal.addWorkdays('2026-10-03', 0)).toBe('2026-10-08');
    expect(await cal.workdaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(await cal.workdaysBetween('2026-10-09', '2026-09-30')).toBe(-2);
    // across a year end: 2026-01-01..03 off, Sunday 01-04 a make-up workday
    expect(await cal.workdaysBetween('2025-12-31', '2026-01-05')).toBe(2);
    expect(await cal.workdaysBetween('2025-01-01', '2026-12-31')).toBe((await cal.workdaysBetween('2025-01-01', '2025-12-31')) + (await cal.workdaysBetween('2025-12-31', '2026-12-31')));
    await db.tx(() => cal.setOverride('2026-01-05', false, systemActor('test')));
    expect(await cal.workdaysBetween('2025-12-31', '2026-01-05')).toBe(1);
  });

  it('falls back to Monday–Friday for a year without data, warning once', async () => {
    const { cal, lines } = await calendar();
    expect(await cal.knows(2026)).toBe(true);
    expect(await cal.knows(2031)).toBe(false);
    expect(await cal.isWorkday('2031-05-01')).toBe(true); // a Thursday; the real holiday is unknown
    expect(await cal.isWorkday('2031-05-03')).toBe(false);
    expect(lines.filter((l) => l.includes('2031'))).toHaveLength(1);
  });

  it('lets an override win over the package, audited', async () => {
    const { cal, db } = await calendar();
    await db.tx(() => cal.setOverride('2031-05-01', false, systemActor('test')));
    await db.tx(() => cal.setOverride('2026-11-28', true, systemActor('test')));
    expect(await cal.isWorkday('2031-05-01')).toBe(false);
    expect(await cal.isWorkday('2026-11-28')).toBe(true);
    expect(await db.all(sql`SELECT count(*) AS n FROM audit_log WHERE action = '节假日设置'`)).toEqual([{ n: 2 }]);
  });

  it('sees an override another process has committed to the same file', async () => {
    const { cal, db } = await calendar();
    expect(await cal.isWorkday('2026-12-01')).toBe(true);
    // the REPL or a job: a connection and a calendar of its own
    const other = await openDatabase(db.location);
    await other.tx(() => calendarOn(other, createLogger('silent')).setOverride('2026-12-01', false, systemActor('test')));
    await other.close();
    expect(await cal.isWorkday('2026-12-01')).toBe(false);
  });

  it('forgets a change rolled back, though it was read inside its transaction', async () => {
    const { cal, db } = await calendar();
    await expect(
      db.tx(async () => {
        await cal.setOverride('2026-12-01', false, systemActor('test'));
        expect(await cal.isWorkday('2026-12-01')).toBe(false);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await cal.isWorkday('2026-12-01')).toBe(true);
  });

  describe('with imported notices', () => {
    // as 节假日导入 does: the notice stored pending, then adopted, in the caller's transaction
    const adopt = (c: Awaited<ReturnType<typeof calendar>>, year: number, holidays: { name: string; off: string[]; work: string[] }[]) =>
      c.db.tx(async () => {
        const [notice] = await c.db.all<{ id: number }>(sql`INSERT INTO calendar_notices (year, holidays, status, created_at) VALUES (${year}, ${JSON.stringify(holidays)}, 'pending', 0) RETURNING id`);
        await c.cal.adopt(notice!.id, year, holidays, systemActor('test'));
      });
    const y2027 = [{ name: '元旦', off: ['2027-01-01', '2027-01-02', '2027-01-03'], work: [] }];
    // 2028's 元旦 begins on the last day of 2027
    const y2028 = [{ name: '元旦', off: ['2027-12-31', '2028-01-01', '2028-01-02'], work: [] }];

    it('keeps a day the next year’s notice gives when this year’s is imported again, in the preview and in force', async () => {
      const c = await calendar();
      await adopt(c, 2027, y2027);
      await adopt(c, 2028, y2028);
      expect(await c.cal.isWorkday('2027-12-31')).toBe(false);
      // the preview of 2027's notice again, and the calendar once it is confirmed again, agree
      expect((await c.cal.withNotice(2027, y2027))('2027-12-31').workday).toBe(false);
      await adopt(c, 2027, y2027);
      expect(await c.cal.isWorkday('2027-12-31')).toBe(false);
      expect(await c.cal.day('2027-01-01')).toMatchObject({ workday: false, holiday: '元旦', source: 'notice' });
    });

    it('drops the days of the notice it replaces, in the preview and in force', async () => {
      const c = await calendar();
      await adopt(c, 2028, y2028);
      const moved = [{ name: '元旦', off: ['2028-01-01', '2028-01-02', '2028-01-03'], work: [] }];
      expect((await c.cal.withNotice(2028, moved))('2027-12-31').workday).toBe(true);
      await adopt(c, 2028, moved);
      expect(await c.cal.isWorkday('2027-12-31')).toBe(true);
      expect(await c.cal.isWorkday('2028-01-03')).toBe(false);
    });

    it('replaces chinese-days for its year, the days it no longer lists too', async () => {
      const c = await calendar();
      expect(await c.cal.isWorkday('2026-10-08')).toBe(true);
      await adopt(c, 2026, [{ name: '国庆节', off: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'], work: [] }]);
      expect(await c.cal.isWorkday('2026-10-08')).toBe(false);
      expect(await c.cal.isWorkday('2026-09-20')).toBe(false); // the package's make-up Sunday, gone with its notice
      expect(await c.cal.isWorkday('2026-01-01')).toBe(true); // 元旦 is not in this (made-up) notice
      expect(await c.cal.isWorkday('2025-01-01')).toBe(false); // other years keep the package's days
    });
  });
});
