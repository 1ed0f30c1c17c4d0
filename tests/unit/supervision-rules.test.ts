import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byUrgency, nextFeedbackDue, warningLevel, type Schedule } from '../../src/services/supervision-rules';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
let next: (d: string) => string;
beforeAll(async () => {
  t = await makeBot();
  const calendar = await t.bot.services.calendar.current();
  next = (d) => calendar.nextWorkdayFrom(d);
});
afterAll(() => t.close());

const weekly = (startDate: string, lastFeedbackDate: string | null = null, deadline = '2027-06-30'): Schedule => ({ startDate, deadline, feedbackCycle: '每周', lastFeedbackDate });

describe('nextFeedbackDue', () => {
  it('is a week after the start, then a week after the period the last feedback fell in', () => {
    expect(nextFeedbackDue(weekly('2026-11-02'), next)).toBe('2026-11-09');
    expect(nextFeedbackDue(weekly('2026-11-02', '2026-11-05'), next)).toBe('2026-11-16');
    expect(nextFeedbackDue(weekly('2026-11-02', '2026-11-09'), next)).toBe('2026-11-16'); // on the due day itself
    expect(nextFeedbackDue(weekly('2026-11-02', '2026-11-10'), next)).toBe('2026-11-23');
  });

  it('moves a weekly due date off the National Day holiday, counting the weeks it swallowed once', () => {
    // 2026-09-24 + 7 = 10-01, a holiday: due the first working day after, Thursday 10-08
    expect(nextFeedbackDue(weekly('2026-09-24'), next)).toBe('2026-10-08');
    // 10-08 is also where the second week would end; one feedback then owes the next on 10-15
    expect(nextFeedbackDue(weekly('2026-09-24', '2026-10-08'), next)).toBe('2026-10-15');
    // a week ending on the make-up Saturday 10-10 is due that Saturday
    expect(nextFeedbackDue(weekly('2026-10-03'), next)).toBe('2026-10-10');
  });

  it('is monthly from the start for a monthly item, and never after the deadline', () => {
    expect(nextFeedbackDue({ ...weekly('2026-11-10'), feedbackCycle: '每月' }, next)).toBe('2026-12-10');
    expect(nextFeedbackDue({ ...weekly('2026-11-10', '2026-12-01'), feedbackCycle: '每月' }, next)).toBe('2027-01-11'); // 01-10 is a Sunday
    expect(nextFeedbackDue(weekly('2026-11-02', null, '2026-11-06'), next)).toBe('2026-11-06');
    expect(nextFeedbackDue({ ...weekly('2026-11-02'), feedbackCycle: '一次', deadline: '2026-12-31' }, next)).toBe('2026-12-31');
  });
});

describe('warningLevel', () => {
  // ten days from 11-01 to 11-11
  const s = { startDate: '2026-11-01', deadline: '2026-11-11' };
  it.each([
    ['2026-11-01', 'green'],
    ['2026-11-05', 'green'], // 60% left
    ['2026-11-06', 'yellow'], // 50% left
    ['2026-11-08', 'yellow'], // 30% left
    ['2026-11-09', 'red'], // 20% left
    ['2026-11-11', 'red'], // due today
    ['2026-11-12', 'red'], // overdue
  ])('on %s is %s', (today, level) => {
    expect(warningLevel(s, today, false)).toBe(level);
  });

  it('is red whenever a feedback is late', () => {
    expect(warningLevel(s, '2026-11-02', true)).toBe('red');
  });

  it('orders overdue first, then red, yellow, green, then by deadline', () => {
    const items = [
      { id: 'green', deadline: '2026-12-31', warning: 'green' as const },
      { id: 'yellow', deadline: '2026-11-30', warning: 'yellow' as const },
      { id: 'late-feedback', deadline: '2027-01-31', warning: 'red' as const },
      { id: 'overdue-2', deadline: '2026-11-20', warning: 'red' as const },
      { id: 'overdue-5', deadline: '2026-11-17', warning: 'red' as const },
    ];
    expect(items.sort(byUrgency('2026-11-22')).map((i) => i.id)).toEqual(['overdue-5', 'overdue-2', 'late-feedback', 'yellow', 'green']);
  });
});
