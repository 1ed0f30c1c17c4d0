// The rules of a supervision item that depend only on its dates: when feedback falls due, and
// how urgent it looks. Pure, so the boundaries can be tested day by day.
import { addDays, addMonths, daysBetween, type LocalDate } from '../lib/dates';

export type FeedbackCycle = '一次' | '每周' | '每月';

/** An item's open states, named rather than `<> 'closed'` so SQLite can seek the (status, deadline) index. */
export const OPEN = ['assigned', 'in_progress'] as const;
export type Warning = 'green' | 'yellow' | 'red';

export const WARNING_LABELS: Record<Warning, string> = { green: '绿色', yellow: '黄色', red: '红色' };

export interface Schedule {
  startDate: LocalDate;
  deadline: LocalDate;
  feedbackCycle: FeedbackCycle;
  lastFeedbackDate: LocalDate | null;
}

/**
 * The date the next feedback is due. A weekly (monthly) item owes one feedback per week (month)
 * counted from its start, each period ending on a working day (a period ending in a holiday runs
 * to the next working day); a feedback counts for the period it falls in. Never later than the
 * deadline; a 一次 item owes its feedback by the deadline.
 */
export function nextFeedbackDue(s: Schedule, nextWorkdayFrom: (d: LocalDate) => LocalDate): LocalDate {
  if (s.feedbackCycle === '一次') return s.deadline;
  const periodEnd = (k: number) => nextWorkdayFrom(s.feedbackCycle === '每周' ? addDays(s.startDate, 7 * k) : addMonths(s.startDate, k));
  let k = 1;
  if (s.lastFeedbackDate) {
    while (periodEnd(k) < s.lastFeedbackDate) k++;
    // periods that a long holiday made end on the same working day count as one
    const covered = periodEnd(k);
    while (periodEnd(k) <= covered) k++;
  }
  const due = periodEnd(k);
  return due < s.deadline ? due : s.deadline;
}

/**
 * Red when overdue, when a feedback is late, or with a fifth of the time or less left; yellow with
 * half or less left; green otherwise.
 */
export function warningLevel(s: Pick<Schedule, 'startDate' | 'deadline'>, today: LocalDate, feedbackLate: boolean): Warning {
  if (today > s.deadline || feedbackLate) return 'red';
  const total = Math.max(1, daysBetween(s.startDate, s.deadline));
  const share = daysBetween(today, s.deadline) / total;
  if (share <= 0.2) return 'red';
  if (share <= 0.5) return 'yellow';
  return 'green';
}

const RANK: Record<Warning, number> = { red: 1, yellow: 2, green: 3 };

/** Overdue first (most overdue first), then red, yellow, green; then by deadline. */
export function byUrgency<T extends { deadline: LocalDate; warning: Warning }>(today: LocalDate) {
  return (a: T, b: T): number => {
    const overA = today > a.deadline ? 0 : RANK[a.warning];
    const overB = today > b.deadline ? 0 : RANK[b.warning];
    return overA - overB || (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0);
  };
}
