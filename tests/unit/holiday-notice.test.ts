// The State Council's notices as published (tests/fixtures/notices, sources in SOURCES.md),
// read by the bot and compared with what chinese-days holds for the same years.
import { readFileSync } from 'node:fs';
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { readHolidayNotice, type HolidayNotice } from '../../src/services/holiday-notice';

const notice = (year: number) => readFileSync(new URL(`../fixtures/notices/${year}.txt`, import.meta.url), 'utf8');

function read(text: string): HolidayNotice {
  const reading = readHolidayNotice(text);
  if (!reading.ok) throw new Error(reading.error);
  return reading.notice;
}

/** chinese-days' days of one year's notice: its year's, and a late-December 元旦 of the year before. */
function library(year: number, map: Record<string, string>): Map<string, string> {
  const name = (entry: string) => entry.split(',')[1]!;
  return new Map(
    Object.entries(map)
      .filter(([date, entry]) => Number(date.slice(0, 4)) + (date.slice(5, 7) === '12' && name(entry) === '元旦' ? 1 : 0) === year)
      .map(([date, entry]) => [date, name(entry)]),
  );
}

const days = (n: HolidayNotice, which: 'off' | 'work') => new Map(n.holidays.flatMap((h) => h[which].map((d) => [d, h.name] as const)));

function expectSameAsLibrary(year: number, read: HolidayNotice, except: { off?: string[]; work?: string[] } = {}) {
  for (const [which, map] of [['off', calendarData.holidays], ['work', calendarData.workdays]] as const) {
    const ours = days(read, which);
    const theirs = library(year, map);
    for (const d of except[which] ?? []) theirs.delete(d);
    expect([...ours.keys()].sort(), `${year} ${which}`).toEqual([...theirs.keys()].sort());
    // 中秋节、国庆节 holds both of the package's names; 清明节 holds its 清明
    for (const [d, name] of theirs) expect(ours.get(d), `${d}`).toContain(name);
  }
}

describe('the State Council holiday notice', () => {
  it.each([2017, 2023, 2024, 2025, 2026])('of %i gives exactly the days chinese-days has for that year', (year) => {
    const n = read(notice(year));
    expect(n.year).toBe(year);
    expectSameAsLibrary(year, n);
  });

  it('of 2015, with its 补休 days, gives the package’s days but those of the separate 9月3日 notice', () => {
    const n = read(notice(2015));
    expect(n.holidays.find((h) => h.name === '清明节')).toEqual({ name: '清明节', off: ['2015-04-05', '2015-04-06'], work: [] });
    // 中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日 had a notice of its own
    expectSameAsLibrary(2015, n, { off: ['2015-09-03', '2015-09-04'], work: ['2015-09-06'] });
  });

  it('of 2012 puts its make-up day in the year before, and has the 端午 Saturday the package lost', () => {
    const n = read(notice(2012));
    expect(n.holidays[0]).toEqual({ name: '元旦', off: ['2012-01-01', '2012-01-02', '2012-01-03'], work: ['2011-12-31'] });
    expect(n.holidays.find((h) => h.name === '端午节')!.off).toEqual(['2012-06-22', '2012-06-23', '2012-06-24']);
    // the package lists 6月22日 and 24日 only (a Saturday between: the working days agree)
    const n2 = { ...n, holidays: n.holidays.map((h) => ({ ...h, off: h.off.filter((d) => d !== '2012-06-23') })) };
    expectSameAsLibrary(2012, n2);
  });

  it('of 2020 is the notice as issued; the package has the later extension of 春节 too', () => {
    const n = read(notice(2020));
    expect(n.holidays.find((h) => h.name === '春节')).toEqual({
      name: '春节',
      off: ['2020-01-24', '2020-01-25', '2020-01-26', '2020-01-27', '2020-01-28', '2020-01-29', '2020-01-30'],
      work: ['2020-01-19', '2020-02-01'],
    });
    const extended = { ...n, holidays: n.holidays.map((h) => (h.name === '春节' ? { ...h, off: [...h.off, '2020-01-31', '2020-02-01', '2020-02-02'], work: ['2020-01-19'] } : h)) };
    expectSameAsLibrary(2020, extended);
  });

  it('of 2023 begins its 元旦 on 31 December of the year before', () => {
    expect(read(notice(2023)).holidays[0]).toEqual({ name: '元旦', off: ['2022-12-31', '2023-01-01', '2023-01-02'], work: [] });
  });

  it('reads the same with half-width punctuation, as one line, and with the lines reflowed', () => {
    const text = notice(2026);
    const expected = read(text);
    const halfWidth = text.replace(/：/g, ':').replace(/，/g, ',').replace(/（/g, '(').replace(/）/g, ')').replace(/。/g, '.');
    expect(halfWidth).not.toMatch(/[：，（）。]/);
    expect(read(halfWidth)).toEqual(expected);
    // full-width digits, as some sites set them
    expect(read(text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)))).toEqual(expected);
    // each item's heading on a line of its own, as copies from web pages often have it
    expect(read(text.replace(/([一二三四五六七]、[^：]+：)/g, '$1\n'))).toEqual(expected);
    expect(read(text.replace(/\n/g, ' '))).toEqual(expected);
    expect(read(text.replace(/\n/g, '\r\n'))).toEqual(expected);
  });

  it('keeps an encouragement (鼓励……除夕休息) apart from the days off', () => {
    const n = read(notice(2024));
    expect(n.advisory).toHaveLength(1);
    expect(n.advisory[0]).toContain('除夕(2月9日)');
    expect(days(n, 'off').has('2024-02-09')).toBe(false);
  });

  describe('refuses, naming what it could not read', () => {
    const refused = (text: string) => {
      const reading = readHolidayNotice(text);
      expect(reading.ok).toBe(false);
      return reading.ok ? '' : reading.error;
    };
    const text = notice(2026);

    it('a sentence of an unknown form', () => {
      expect(refused(text.replace('放假调休，共9天', '放假，共9天，另行通知'))).toMatch(/「春节」中这句读不懂：「另行通知」/);
    });
    it('a count that does not match the dates', () => {
      expect(refused(text.replace('共9天', '共8天'))).toMatch(/「春节」写的是共8天，读到的放假日期是 9 天/);
    });
    it('a weekday that does not match the date (the wrong year)', () => {
      expect(refused(text.replace(/2026年/g, '2027年'))).toMatch(/2027年1月1日是星期五，通知写的是「周四」/);
    });
    it('a make-up day that is already a working day', () => {
      expect(refused(text.replace('1月4日（周日）上班', '1月5日上班'))).toMatch(/上班日 2026年1月5日 本来就是工作日/);
    });
    it('a holiday the opening sentence announces but no item gives', () => {
      expect(refused(text.replace(/五、端午节.*\n/, ''))).toMatch(/开头列出了端午节，但没有读到对应的条目/);
    });
    it('a line with dates outside any item', () => {
      expect(refused(text.replace('五、端午节：', '端午节 '))).toMatch(/这一行读不懂：「端午节 6月19日/);
    });
    it('a holiday missing, even without the opening sentence that lists them', () => {
      const items = text.split('\n').filter((l) => /^[一二三]、/.test(l) || l.includes('节假日安排的通知'));
      expect(refused(items.join('\n'))).toMatch(/没有读到劳动节、端午节、中秋节、国庆节：通知应列出全部法定节假日/);
    });
    it('a make-up working day lost from an item', () => {
      expect(refused(text.replace('5月9日（周六）上班。', ''))).toMatch(/读到的安排不平衡：工作日放假 19 天，应为法定节假日 13 天加调休上班 5 天/);
    });
    it('the notice pasted twice', () => {
      expect(refused(`${text}\n${text}`)).toMatch(/「元旦」出现了两次：是否把通知粘贴了两遍？/);
    });
    it('a text in traditional characters, saying so', () => {
      expect(refused(text.replace('国务院办公厅关于', '國務院辦公廳關於'))).toMatch(/这是繁体字的文本/);
    });
    it('a text without a year', () => {
      expect(refused('一、元旦：1月1日至3日放假调休，共3天。')).toMatch(/找不到年份/);
    });
    it('a text without any item', () => {
      expect(refused('国务院办公厅关于2027年部分节假日安排的通知')).toMatch(/没有读到任何一项节假日/);
    });
    it('a day given twice', () => {
      expect(refused(text.replace('6月19日（周五）至21日（周日）放假，共3天。', '6月19日（周五）至21日（周日）放假，5月5日（周二）补休。'))).toMatch(/2026年5月5日在「劳动节」和「端午节」中都出现了/);
    });
  });
});
