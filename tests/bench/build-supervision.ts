// A bot database holding N 督办 items as years of use would leave them, written in bulk: items
// started evenly from 2020 to the bench's yesterday, each with a lead unit and up to two
// co-units; 10% still open past their deadline, 15% open and not yet due, the rest closed.
// Every unit has a contact; a few leaders instruct. Deterministic, like the rest of the corpus.
import { formatRegNo } from '../../src/services/numbering';
import { closeBulk, contactSeeds, insertPeople, insertUnits, openBulk } from './bulk';
import { BENCH_TODAY, DAY_MS, HANDLING_UNITS, isoDate, morningOf, randomPersonName, randomTopic, seededRandom } from './corpus';

const BATCH = 50_000;
const LEADERS = 8;
export const OVERDUE_SHARE = 0.1;
const OPEN_SHARE = 0.15;
const FIRST_DAY = Date.UTC(2020, 0, 1);
const TODAY = Date.parse(BENCH_TODAY);
const TEMPLATES = ['推进{t}', '落实{t}工作部署', '{t}问题整改', '做好{t}工作', '{t}专项督查反馈问题整改', '加快{t}进度'];
const SOURCES = ['领导批示', '常务会议', '重点工作', '问题清单'] as const;

/** The contact of the first unit, whose overdue list a contact's 督办逾期 shows. */
export const CONTACT = { platform: 'console', userId: 'contact-1-1' };

interface ItemValues {
  reg_no: string;
  year: number;
  seq: number;
  title: string;
  source: (typeof SOURCES)[number];
  leader_id: number | null;
  instruction: string | null;
  start_date: string;
  deadline: string;
  feedback_cycle: '一次' | '每周' | '每月';
  status: 'assigned' | 'in_progress' | 'closed';
  last_feedback_date: string | null;
  closed_at: number | null;
  closed_date: string | null;
  closed_on_time: number | null;
  result: string | null;
  created_at: number;
}

const days = (random: () => number, from: number, to: number) => (from + Math.floor(random() * (to - from + 1))) * DAY_MS;

/** Where an item stands today: overdue and open, open and not yet due, or closed. */
function state(random: () => number, start: number): Pick<ItemValues, 'deadline' | 'status' | 'last_feedback_date' | 'closed_at' | 'closed_date' | 'closed_on_time' | 'result'> {
  const yesterday = TODAY - DAY_MS;
  const r = random();
  const open = (deadline: number) => {
    const answered = random() < 0.7;
    const fed = Math.min(start + days(random, 3, 60), yesterday);
    return { deadline: isoDate(deadline), status: answered ? ('in_progress' as const) : ('assigned' as const), last_feedback_date: answered ? isoDate(fed) : null, closed_at: null, closed_date: null, closed_on_time: null, result: null };
  };
  if (r < OVERDUE_SHARE) return open(Math.min(start + days(random, 10, 90), yesterday));
  if (r < OVERDUE_SHARE + OPEN_SHARE) return open(TODAY + days(random, 0, 180));
  const deadline = start + days(random, 10, 90);
  const closed = Math.min(start + days(random, 5, 100), yesterday);
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

export function buildSupervision(path: string, count: number, onBatch: (done: number) => void): void {
  const db = openBulk(path);
  const sqlite = db.$client;
  const random = seededRandom(20261126);
  const unitIds = insertUnits(sqlite, HANDLING_UNITS);
  insertPeople(sqlite, contactSeeds(unitIds, 1, 'console', () => randomPersonName(random)));
  const leaderIds = insertPeople(
    sqlite,
    Array.from({ length: LEADERS }, (_, i) => ({ name: randomPersonName(random), role: 'leader' as const, platform: 'console', userId: `leader-${i + 1}` })),
  );

  const insertItem = sqlite.prepare(`
    INSERT INTO supervision_items (reg_no, year, seq, title, source, leader_id, instruction, start_date, deadline, feedback_cycle, status,
      last_feedback_date, closed_at, closed_date, closed_on_time, result, created_at, updated_at)
    VALUES (@reg_no, @year, @seq, @title, @source, @leader_id, @instruction, @start_date, @deadline, @feedback_cycle, @status,
      @last_feedback_date, @closed_at, @closed_date, @closed_on_time, @result, @created_at, @created_at)`);
  const insertUnit = sqlite.prepare('INSERT INTO supervision_units (item_id, unit_id, lead) VALUES (?, ?, ?)');
  const insertBatch = sqlite.transaction((items: { item: ItemValues; units: number[] }[]) => {
    for (const { item, units } of items) {
      const id = insertItem.run(item).lastInsertRowid;
      units.forEach((unitId, i) => insertUnit.run(id, unitId, Number(i === 0)));
    }
  });

  const lastSeq = new Map<number, number>();
  const span = (TODAY - DAY_MS - FIRST_DAY) / DAY_MS + 1;
  let batch: { item: ItemValues; units: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const start = FIRST_DAY + Math.floor((i * span) / count) * DAY_MS;
    const year = new Date(start).getUTCFullYear();
    const seq = (lastSeq.get(year) ?? 0) + 1;
    lastSeq.set(year, seq);
    const source = SOURCES[Math.floor(random() * SOURCES.length)]!;
    const r = random();
    const cycle = r < 0.6 ? '一次' : r < 0.85 ? '每周' : '每月';
    const coUnits = random() < 0.5 ? 0 : random() < 0.6 ? 1 : 2;
    const units = [...new Set(Array.from({ length: 1 + coUnits }, () => unitIds[Math.floor(random() * unitIds.length)]!))];
    const instructed = source === '领导批示';
    const item: ItemValues = {
      reg_no: formatRegNo('DB', year, seq),
      year,
      seq,
      title: TEMPLATES[Math.floor(random() * TEMPLATES.length)]!.replace('{t}', randomTopic(random)),
      source,
      leader_id: instructed ? leaderIds[Math.floor(random() * leaderIds.length)]! : null,
      instruction: instructed ? '请牵头单位抓紧研究落实，按时反馈办理情况。' : null,
      start_date: isoDate(start),
      feedback_cycle: cycle,
      created_at: morningOf(start),
      ...state(random, start),
    };
    batch.push({ item, units });
    if (batch.length === BATCH || i === count - 1) {
      insertBatch(batch);
      batch = [];
      onBatch(i + 1);
    }
  }
  const setCounter = sqlite.prepare("INSERT INTO counters (kind, year, last) VALUES ('DB', ?, ?)");
  sqlite.transaction(() => lastSeq.forEach((last, year) => setCounter.run(year, last)))();
  closeBulk(db);
}
