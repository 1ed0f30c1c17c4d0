// 督办 items written in bulk, as years of 督办新建/督办反馈/督办办结 would have left them: the one
// writer behind the supervision benchmark's database and the figures' two. Each caller says how
// its items stand today (overdue, open, closed) and whether they carry feedback rows.
import type { Database } from 'better-sqlite3';
import { formatRegNo } from '../../src/services/numbering';
import { insertPeople } from './bulk';
import { BENCH_TODAY, DAY_MS, isoDate, morningOf, randomPersonName, randomTopic, seededRandom } from './corpus';

const BATCH = 20_000;
const LEADERS = 8;
const TODAY = Date.parse(BENCH_TODAY);
export const YESTERDAY = TODAY - DAY_MS;

const TEMPLATES = ['推进{t}', '落实{t}工作部署', '{t}问题整改', '做好{t}工作', '{t}专项督查反馈问题整改', '加快{t}进度'];
const FEEDBACK_TEXTS = ['已召开专题会议研究部署，正在按计划推进。', '已完成阶段性任务，下一步将持续跟进。', '已制定整改方案，明确责任人和完成时限。', '已按要求落实，相关材料已报送。'];

type Source = '领导批示' | '常务会议' | '重点工作' | '问题清单';
export type Cycle = '一次' | '每周' | '每月';

interface ItemValues {
  reg_no: string;
  year: number;
  seq: number;
  title: string;
  source: Source;
  leader_id: number | null;
  instruction: string | null;
  start_date: string;
  deadline: string;
  feedback_cycle: Cycle;
  status: 'assigned' | 'in_progress' | 'closed';
  last_feedback_date: string | null;
  closed_at: number | null;
  closed_date: string | null;
  closed_on_time: number | null;
  result: string | null;
  created_at: number;
}

export type ItemState = Pick<ItemValues, 'deadline' | 'status' | 'last_feedback_date' | 'closed_at' | 'closed_date' | 'closed_on_time' | 'result'>;

export interface SupervisionTotals {
  items: number;
  units: number;
  feedback: number;
  closed: number;
  /** items started in the year asked for */
  inYear: number;
}

export const between = (random: () => number, from: number, to: number) => from + Math.floor(random() * (to - from + 1));

/** Still open with deadline `due`: answered with feedback some days after it started, seven times in ten. */
export function openState(random: () => number, start: number, due: number): ItemState {
  const answered = random() < 0.7;
  const fed = Math.min(start + between(random, 3, 60) * DAY_MS, YESTERDAY);
  return { deadline: isoDate(due), status: answered ? 'in_progress' : 'assigned', last_feedback_date: answered ? isoDate(fed) : null, closed_at: null, closed_date: null, closed_on_time: null, result: null };
}

/** Closed on the day `closed`, its last feedback that day. */
export function closedState(random: () => number, deadline: number, closed: number): ItemState {
  return {
    deadline: isoDate(deadline),
    status: 'closed',
    last_feedback_date: isoDate(closed),
    closed_at: morningOf(closed) + 6 * 3_600_000,
    closed_date: isoDate(closed),
    closed_on_time: Number(closed <= deadline),
    result: random() < 0.5 ? '已按要求落实' : null,
  };
}

function source(random: () => number): Source {
  const r = random();
  return r < 0.35 ? '领导批示' : r < 0.55 ? '常务会议' : r < 0.85 ? '重点工作' : '问题清单';
}

function cycle(random: () => number): Cycle {
  const r = random();
  return r < 0.6 ? '一次' : r < 0.85 ? '每周' : '每月';
}

export interface SupervisionShape {
  total: number;
  /** items start evenly from this day to the bench's yesterday */
  fromDay: number;
  seed: number;
  /** the leaders who instruct are console:<leaderPrefix>-<n> */
  leaderPrefix: string;
  /** where an item started on `start` stands today */
  state(random: () => number, start: number): ItemState;
  /** the days it was reported on, up to its last feedback; without, no feedback rows */
  feedbackDays?(random: () => number, start: number, last: number, cycle: Cycle): number[];
  /** the year SupervisionTotals.inYear counts */
  year: number;
  onBatch(done: number): void;
}

/**
 * Inserts the items into an open bulk database whose units exist, each with a lead unit and up
 * to two co-units, feedback rows when asked, and the 'DB' counters. Deterministic.
 */
export async function insertSupervision(sqlite: Database, shape: SupervisionShape): Promise<SupervisionTotals> {
  const random = seededRandom(shape.seed);
  const unitIds = sqlite.prepare('SELECT id FROM units ORDER BY id').pluck().all() as number[];
  const leaderIds = insertPeople(
    sqlite,
    Array.from({ length: LEADERS }, (_, i) => ({ name: randomPersonName(random), role: 'leader' as const, platform: 'console', userId: `${shape.leaderPrefix}-${i + 1}` })),
  );
  const contacts = unitIds.map(() => `${randomPersonName(random)}（联络员）`);
  const insertItem = sqlite.prepare(`
    INSERT INTO supervision_items (reg_no, year, seq, title, source, leader_id, instruction, start_date, deadline, feedback_cycle, status,
      last_feedback_date, closed_at, closed_date, closed_on_time, result, created_at, updated_at)
    VALUES (@reg_no, @year, @seq, @title, @source, @leader_id, @instruction, @start_date, @deadline, @feedback_cycle, @status,
      @last_feedback_date, @closed_at, @closed_date, @closed_on_time, @result, @created_at, @created_at)`);
  const insertUnit = sqlite.prepare('INSERT INTO supervision_units (item_id, unit_id, lead) VALUES (?, ?, ?)');
  const insertFeedback = sqlite.prepare('INSERT INTO supervision_feedback (item_id, person_id, author, at, date, text) VALUES (?, NULL, ?, ?, ?, ?)');
  type Pending = { item: ItemValues; units: number[]; feedback: number[] };
  const totals: SupervisionTotals = { items: 0, units: 0, feedback: 0, closed: 0, inYear: 0 };
  const insertBatch = sqlite.transaction((batch: Pending[]) => {
    for (const { item, units, feedback } of batch) {
      const id = insertItem.run(item).lastInsertRowid;
      units.forEach((unitId, i) => insertUnit.run(id, unitId, Number(i === 0)));
      const author = contacts[unitIds.indexOf(units[0]!)]!;
      for (const day of feedback) insertFeedback.run(id, author, morningOf(day) + 2 * 3_600_000, isoDate(day), FEEDBACK_TEXTS[Math.floor(random() * FEEDBACK_TEXTS.length)]!);
      totals.items++;
      totals.units += units.length;
      totals.feedback += feedback.length;
      if (item.status === 'closed') totals.closed++;
      if (item.year === shape.year) totals.inYear++;
    }
  });

  const lastSeq = new Map<number, number>();
  const span = (YESTERDAY - shape.fromDay) / DAY_MS + 1;
  let batch: Pending[] = [];
  for (let i = 0; i < shape.total; i++) {
    const start = shape.fromDay + Math.floor((i * span) / shape.total) * DAY_MS;
    const year = new Date(start).getUTCFullYear();
    const seq = (lastSeq.get(year) ?? 0) + 1;
    lastSeq.set(year, seq);
    const src = source(random);
    const c = cycle(random);
    const coUnits = random() < 0.5 ? 0 : random() < 0.6 ? 1 : 2;
    const units = [...new Set(Array.from({ length: 1 + coUnits }, () => unitIds[Math.floor(random() * unitIds.length)]!))];
    const instructed = src === '领导批示';
    const item: ItemValues = {
      reg_no: formatRegNo('DB', year, seq),
      year,
      seq,
      title: TEMPLATES[Math.floor(random() * TEMPLATES.length)]!.replace('{t}', randomTopic(random)),
      source: src,
      leader_id: instructed ? leaderIds[Math.floor(random() * leaderIds.length)]! : null,
      instruction: instructed ? '请牵头单位抓紧研究落实，按时反馈办理情况。' : null,
      start_date: isoDate(start),
      feedback_cycle: c,
      created_at: morningOf(start),
      ...shape.state(random, start),
    };
    const feedback = item.last_feedback_date === null || !shape.feedbackDays ? [] : shape.feedbackDays(random, start, Date.parse(item.last_feedback_date), c);
    batch.push({ item, units, feedback });
    if (batch.length === BATCH || i === shape.total - 1) {
      insertBatch(batch);
      batch = [];
      shape.onBatch(i + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const setCounter = sqlite.prepare("INSERT INTO counters (kind, year, last) VALUES ('DB', ?, ?)");
  sqlite.transaction(() => lastSeq.forEach((last, year) => setCounter.run(year, last)))();
  return totals;
}
