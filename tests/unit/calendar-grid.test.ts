// The month grids of `npm run calendar -- show` and the console's 节假日 page, on a made-up lookup:
// Monday-first weeks, the four kinds of day told apart without colour, the columns level.
import { describe, expect, it } from 'vitest';
import { holidayLine, holidaysOf, markOf, monthWeeks, sourceLine, yearGridLines, type DayLookup } from '../../src/jobs/calendar-grid';
import { isoWeekday } from '../../src/lib/dates';
import type { Day } from '../../src/services/calendar';

// 2027 as its (made-up) notice has it, in part: 元旦 Fri 1 – Sun 3 January, 春节 5–12 February
// with Sunday the 14th and Saturday the 20th worked; and an admin's 休 on Wednesday 3 March
const SET: Record<string, Omit<Day, 'date'>> = {
  '2027-01-01': { workday: false, holiday: '元旦', source: 'notice' },
  '2027-01-02': { workday: false, holiday: '元旦', source: 'notice' },
  '2027-01-03': { workday: false, holiday: '元旦', source: 'notice' },
  ...Object.fromEntries(['05', '06', '07', '08', '09', '10', '11', '12'].map((d) => [`2027-02-${d}`, { workday: false, holiday: '春节', source: 'notice' as const }])),
  '2027-02-14': { workday: true, holiday: '春节', source: 'notice' },
  '2027-02-20': { workday: true, holiday: '春节', source: 'notice' },
  '2027-03-03': { workday: false, holiday: null, source: 'override' },
};
const notice: DayLookup = (date) => SET[date] ? { date, ...SET[date] } : { date, workday: isoWeekday(date) <= 5, holiday: null, source: 'weekday' };
const unknown: DayLookup = (date) => ({ date, workday: isoWeekday(date) <= 5, holiday: null, source: 'weekday' });
const columns = (s: string) => [...s].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);

describe('calendar grid', () => {
  it('lays a month out in Monday-first weeks', () => {
    const january = monthWeeks(2027, 1); // 1 January 2027 is a Friday
    expect(january[0]).toEqual([null, null, null, null, '2027-01-01', '2027-01-02', '2027-01-03']);
    expect(january.at(-1)).toEqual(['2027-01-25', '2027-01-26', '2027-01-27', '2027-01-28', '2027-01-29', '2027-01-30', '2027-01-31']);
    expect(january).toHaveLength(5);
    expect(monthWeeks(2027, 2)).toHaveLength(4); // February 2027 starts on a Monday: four full weeks
    expect(monthWeeks(2027, 5)).toHaveLength(6); // 1 May a Saturday, 31 May a Monday
  });

  it('tells a working day, a weekend, a day off and a make-up working day apart', () => {
    expect(markOf(notice('2027-01-04'))).toBe('work');
    expect(markOf(notice('2027-01-09'))).toBe('weekend');
    expect(markOf(notice('2027-01-01'))).toBe('off');
    expect(markOf(notice('2027-01-02'))).toBe('off'); // a holiday's Saturday is one of its days off
    expect(markOf(notice('2027-03-03'))).toBe('off'); // a weekday made a day off by 节假日设置
    expect(markOf(notice('2027-02-14'))).toBe('makeup');
    expect(markOf({ date: '2027-03-06', workday: true, holiday: null, source: 'override' })).toBe('makeup');
  });

  it('prints the year as text: 休 and 班 after the number, weekends in brackets, every month level with its neighbours', () => {
    const lines = yearGridLines(2027, notice);
    expect(lines[0]!.trim().split(/\s+/)).toEqual(['1月', '2月', '3月']);
    expect(lines[1]).toBe(Array.from({ length: 3 }, () => ' 一   二   三   四   五   六   日  ').join('   ').trimEnd());
    // January's first week beside February's and March's
    expect(lines[2]).toBe(`${' '.repeat(20)}  1休  2休  3休     1    2    3    4    5休  6休  7休     1    2    3休  4    5   (6)  (7)`);
    expect(lines[3]).toContain('  4    5    6    7    8   (9) (10)');
    expect(lines[3]).toContain('  8休  9休 10休 11休 12休(13)  14班');
    expect(lines[4]).toContain(' 15   16   17   18   19   20班(21)');
    // four rows of three months, eight lines each, a blank line between rows
    expect(lines).toHaveLength(4 * 8 + 3);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(35 * 3 + 6);
    // the columns stay level: every day's last digit at the third column of a five-column cell,
    // the months 35 columns wide and three apart
    const weekLines = lines.filter((l) => /\d/.test(l) && !l.includes('月'));
    expect(weekLines).toHaveLength(5 + 6 + 6 + 5); // the most weeks a month of each row has: May and August take six
    for (const line of weekLines) {
      let column = 0;
      for (const [i, ch] of [...line].entries()) {
        if (/\d/.test(ch) && !/\d/.test([...line][i + 1] ?? '')) expect((column % 38) % 5, line).toBe(2);
        column += columns(ch);
      }
    }
    expect(lines.at(-2)).toBe(' 25   26   27   28   29  (30) (31)     29   30                               27   28   29   30   31');
    const two = yearGridLines(2027, notice, { perRow: 2 });
    expect(two).toHaveLength(6 * 8 + 5);
    expect(two[0]!.trim().split(/\s+/)).toEqual(['1月', '2月']);
  });

  it('lets a painter wrap each cell without moving anything', () => {
    const painted = yearGridLines(2027, notice, { paint: (mark, cell) => `<${mark}>${cell}</>` });
    expect(painted[2]).toContain('<off>  1休</><off>  2休</><off>  3休</>');
    expect(painted[3]).toContain('<weekend> (9) </>');
    expect(painted[3]).toContain('<makeup> 14班</>');
    expect(painted.map((l) => l.replace(/<\/?[a-z]*>/g, '').trimEnd())).toEqual(yearGridLines(2027, notice));
  });

  it('lists the year’s holidays with their days off and make-up days, and says where the days come from', () => {
    const holidays = holidaysOf(2027, notice);
    expect(holidays.map((h) => h.name)).toEqual(['元旦', '春节']);
    expect(holidays.map(holidayLine)).toEqual(['元旦：1月1日至3日放假，共 3 天', '春节：2月5日至12日放假，共 8 天；2月14日（周日）、2月20日（周六）上班']);
    expect(holidayLine({ name: '国庆节', off: ['2025-09-30', '2025-10-01', '2025-10-02'], work: [] })).toBe('国庆节：9月30日至10月2日放假，共 3 天');
    expect(sourceLine(2027, notice)).toBe('2027年的节假日和调休来自：已导入的国务院办公厅放假通知（涉及 13 天）；节假日设置（1 天，优先）；其余日子按周一至周五。');
    expect(holidaysOf(2027, unknown)).toEqual([]);
    expect(sourceLine(2027, unknown)).toContain('2027年没有节假日数据');
    expect(sourceLine(2027, unknown)).toContain('工作日暂按周一至周五计算');
  });
});
