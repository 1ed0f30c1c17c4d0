import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/logger';
import { systemActor } from '../../src/services/actor';
import { createAuditService } from '../../src/services/audit';
import { createCalendarService } from '../../src/services/calendar';
import { tempDir } from '../helpers';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((c) => c()));

function calendar() {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  const db = openDatabase(`${dir}/cal.db`);
  const lines: string[] = [];
  const log = createLogger('warn', new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  const clock = new ManualClock(Date.parse('2026-11-25T09:00:00+08:00'));
  return { cal: createCalendarService(db, clock, createAuditService(db, clock), log), lines, db };
}

describe('calendar', () => {
  it('knows the 2026 National Day holiday and its make-up workdays', () => {
    const { cal } = calendar();
    for (let d = 1; d <= 7; d++) expect(cal.isWorkday(`2026-10-0${d}`)).toBe(false);
    expect(cal.isWorkday('2026-10-08')).toBe(true);
    expect(cal.isWorkday('2026-09-20')).toBe(true); // a Sunday made a workday
    expect(cal.isWorkday('2026-10-10')).toBe(true); // a Saturday made a workday
    expect(cal.isWorkday('2026-11-28')).toBe(false); // an ordinary Saturday
  });

  it('adds and counts working days across a holiday', () => {
    const { cal } = calendar();
    expect(cal.addWorkdays('2026-09-30', 1)).toBe('2026-10-08');
    expect(cal.addWorkdays('2026-10-03', 0)).toBe('2026-10-08');
    expect(cal.workdaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(cal.workdaysBetween('2026-10-09', '2026-09-30')).toBe(-2);
    // across a year end: 2026-01-01..03 off, Sunday 01-04 a make-up workday
    expect(cal.workdaysBetween('2025-12-31', '2026-01-05')).toBe(2);
    expect(cal.workdaysBetween('2025-01-01', '2026-12-31')).toBe(cal.workdaysBetween('2025-01-01', '2025-12-31') + cal.workdaysBetween('2025-12-31', '2026-12-31'));
    cal.setOverride('2026-01-05', false, systemActor('test'));
    expect(cal.workdaysBetween('2025-12-31', '2026-01-05')).toBe(1);
  });

  it('falls back to Monday–Friday for a year without data, warning once', () => {
    const { cal, lines } = calendar();
    expect(cal.knows(2026)).toBe(true);
    expect(cal.knows(2031)).toBe(false);
    expect(cal.isWorkday('2031-05-01')).toBe(true); // a Thursday; the real holiday is unknown
    expect(cal.isWorkday('2031-05-03')).toBe(false);
    expect(lines.filter((l) => l.includes('2031'))).toHaveLength(1);
  });

  it('lets an override win over the package, audited', () => {
    const { cal, db } = calendar();
    cal.setOverride('2031-05-01', false, systemActor('test'));
    cal.setOverride('2026-11-28', true, systemActor('test'));
    expect(cal.isWorkday('2031-05-01')).toBe(false);
    expect(cal.isWorkday('2026-11-28')).toBe(true);
    expect(db.$client.prepare("SELECT count(*) FROM audit_log WHERE action = '节假日设置'").pluck().get()).toBe(2);
  });

  it('sees an override written by another connection to the same file', () => {
    const { cal, db } = calendar();
    expect(cal.isWorkday('2026-12-01')).toBe(true);
    const other = openDatabase(db.$client.name);
    other.$client.prepare('INSERT INTO calendar_overrides (date, workday, set_at) VALUES (?, 0, 0)').run('2026-12-01');
    other.$client.close();
    expect(cal.isWorkday('2026-12-01')).toBe(false);
  });

  describe('with imported notices', () => {
    const adopt = (c: ReturnType<typeof calendar>, year: number, holidays: { name: string; off: string[]; work: string[] }[]) => {
      const id = c.db.$client.prepare("INSERT INTO calendar_notices (year, holidays, status, created_at) VALUES (?, ?, 'pending', 0) RETURNING id").pluck().get(year, JSON.stringify(holidays)) as number;
      c.cal.adopt(id, year, holidays, systemActor('test'));
    };
    const y2027 = [{ name: '元旦', off: ['2027-01-01', '2027-01-02', '2027-01-03'], work: [] }];
    // 2028's 元旦 begins on the last day of 2027
    const y2028 = [{ name: '元旦', off: ['2027-12-31', '2028-01-01', '2028-01-02'], work: [] }];

    it('keeps a day the next year’s notice gives when this year’s is imported again, in the preview and in force', () => {
      const c = calendar();
      adopt(c, 2027, y2027);
      adopt(c, 2028, y2028);
      expect(c.cal.isWorkday('2027-12-31')).toBe(false);
      // the preview of 2027's notice again, and the calendar once it is confirmed again, agree
      expect(c.cal.withNotice(2027, y2027)('2027-12-31').workday).toBe(false);
      adopt(c, 2027, y2027);
      expect(c.cal.isWorkday('2027-12-31')).toBe(false);
      expect(c.cal.day('2027-01-01')).toMatchObject({ workday: false, holiday: '元旦', source: 'notice' });
    });

    it('drops the days of the notice it replaces, in the preview and in force', () => {
      const c = calendar();
      adopt(c, 2028, y2028);
      const moved = [{ name: '元旦', off: ['2028-01-01', '2028-01-02', '2028-01-03'], work: [] }];
      expect(c.cal.withNotice(2028, moved)('2027-12-31').workday).toBe(true);
      adopt(c, 2028, moved);
      expect(c.cal.isWorkday('2027-12-31')).toBe(true);
      expect(c.cal.isWorkday('2028-01-03')).toBe(false);
    });

    it('replaces chinese-days for its year, the days it no longer lists too', () => {
      const c = calendar();
      expect(c.cal.isWorkday('2026-10-08')).toBe(true);
      adopt(c, 2026, [{ name: '国庆节', off: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'], work: [] }]);
      expect(c.cal.isWorkday('2026-10-08')).toBe(false);
      expect(c.cal.isWorkday('2026-09-20')).toBe(false); // the package's make-up Sunday, gone with its notice
      expect(c.cal.isWorkday('2026-01-01')).toBe(true); // 元旦 is not in this (made-up) notice
      expect(c.cal.isWorkday('2025-01-01')).toBe(false); // other years keep the package's days
    });
  });
});
