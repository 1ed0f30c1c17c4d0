// 建议 and 提案 as a county's NPC and CPPCC offices hand them out, in two forms: the spreadsheet
// the office imports (a CSV saved by Excel in China, so GBK with CRLF lines) and a database
// holding years of them in bulk, answered, evaluated and sent back as the statutory process
// would have left them.
import iconv from 'iconv-lite';
import { addDays, addMonths } from '../../src/lib/dates';
import { formatRegNo } from '../../src/services/numbering';
import { KIND_PREFIX, type ProposalKind } from '../../src/services/proposals';
import { closeBulk, contactSeeds, insertPeople, insertUnits, openBulk, sqliteOf } from './bulk';
import { BENCH_TODAY, HANDLING_UNITS, randomPersonName, randomTopic, seededRandom } from './corpus';

/** The year whose 建议统计 is timed: the bench's current year, the last of those built. */
export const YEAR = 2026;
export const YEARS = 10;
/** 建议 per 提案: three to two, in the ledger and in the database. */
const SUGGESTION_SHARE = 0.6;
const BATCH = 50_000;
const TEMPLATES = ['关于加强{t}的{k}', '关于推进{t}的{k}', '关于进一步做好{t}工作的{k}', '关于{t}存在问题及对策的{k}', '关于支持{t}的{k}'];
/** The contact of the first unit, whose figures a contact's 建议统计 shows. */
export const CONTACT = { platform: 'console', userId: 'contact-1-1' };

interface Suggestion {
  kind: ProposalKind;
  number: number;
  title: string;
  proposers: string;
  /** indexes into HANDLING_UNITS, the lead unit first */
  units: number[];
  assignedDate: string;
}

const pickIndex = (random: () => number, n: number) => Math.floor(random() * n);

/** One item: one to three deputies or members, a lead unit and up to two co-units, assigned on a day in `days` from `from`. */
function suggestion(random: () => number, kind: ProposalKind, number: number, from: string, days: number): Suggestion {
  const proposers = Array.from({ length: 1 + pickIndex(random, 3) }, () => randomPersonName(random));
  const units = [...new Set(Array.from({ length: 1 + pickIndex(random, 3) }, () => pickIndex(random, HANDLING_UNITS.length)))];
  return {
    kind,
    number,
    title: TEMPLATES[pickIndex(random, TEMPLATES.length)]!.replace('{t}', randomTopic(random)).replace('{k}', kind),
    proposers: [...new Set(proposers)].join('、'),
    units,
    assignedDate: addDays(from, pickIndex(random, days)),
  };
}

/**
 * `count` rows of one year's ledger, GBK-encoded, assigned in the weeks after the 两会. Numbers
 * have at most four digits, so a file this long holds both kinds: 建议 (three in five) and 提案,
 * told apart by a 类型 column, with 提出人 for the deputies or members.
 */
export function proposalCsv(count: number): Buffer {
  const random = seededRandom(20260315);
  const suggestions = Math.ceil(count * SUGGESTION_SHARE);
  const lines = ['类型,编号,标题,提出人,主办单位,协办单位,交办日期'];
  for (let i = 1; i <= count; i++) {
    const s = i <= suggestions ? suggestion(random, '建议', i, `${YEAR}-03-16`, 30) : suggestion(random, '提案', i - suggestions, `${YEAR}-03-16`, 30);
    const [lead, ...co] = s.units.map((u) => HANDLING_UNITS[u]!);
    lines.push([s.kind, s.number, s.title, s.proposers, lead, co.join('、'), s.assignedDate].join(','));
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
}

type Status = 'assigned' | 'in_progress' | 'answered' | 'evaluated';

interface ProposalRow {
  reg_no: string;
  kind: ProposalKind;
  year: number;
  number: number;
  title: string;
  proposers: string;
  assigned_date: string;
  due_date: string;
  status: Status;
  round: number;
  first_answer_on_time: number | null;
  answer_class: string | null;
  answer_date: string | null;
  answered_on_time: number | null;
  evaluation: string | null;
  evaluated_date: string | null;
  created_at: number;
}

interface FirstRound {
  due_date: string;
  answer_class: string;
  answer_date: string;
  answered_on_time: number;
  evaluated_date: string;
}

const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * Where an item stands today. Answers come 20–110 days after assignment (the statutory three
 * months is about 92), evaluations 5–30 days after the answer; nothing is dated today or later.
 * Of those that could be: 12% still unanswered, 5% sent back by 不满意 and being handled again,
 * 23% answered and awaiting evaluation, the rest evaluated (满意 two in three).
 */
function handling(random: () => number, s: Suggestion): { row: ProposalRow; first: FirstRound | null } {
  const yesterday = addDays(BENCH_TODAY, -1);
  const due = addMonths(s.assignedDate, 3);
  const year = Number(s.assignedDate.slice(0, 4));
  const base: ProposalRow = {
    reg_no: formatRegNo(KIND_PREFIX[s.kind], year, s.number),
    kind: s.kind,
    year,
    number: s.number,
    title: s.title,
    proposers: s.proposers,
    assigned_date: s.assignedDate,
    due_date: due,
    status: 'assigned',
    round: 1,
    first_answer_on_time: null,
    answer_class: null,
    answer_date: null,
    answered_on_time: null,
    evaluation: null,
    evaluated_date: null,
    created_at: Date.parse(`${s.assignedDate}T09:00:00+08:00`),
  };
  const answered = addDays(s.assignedDate, 20 + pickIndex(random, 91));
  const r = random();
  if (r < 0.12 || answered > yesterday) return { row: base, first: null };
  const onTime = Number(answered <= due);
  const answer = { answer_class: 'ABCD'[pickIndex(random, 4)]!, answer_date: answered, answered_on_time: onTime, first_answer_on_time: onTime };
  const evaluated = earlier(addDays(answered, 5 + pickIndex(random, 26)), yesterday);
  if (r < 0.17) {
    const first = { due_date: due, answer_class: answer.answer_class, answer_date: answered, answered_on_time: onTime, evaluated_date: evaluated };
    const row: ProposalRow = { ...base, status: 'in_progress', round: 2, due_date: addMonths(evaluated, 1), first_answer_on_time: onTime, evaluation: '不满意', evaluated_date: evaluated };
    return { row, first };
  }
  if (r < 0.4) return { row: { ...base, ...answer, status: 'answered' }, first: null };
  return { row: { ...base, ...answer, status: 'evaluated', evaluation: random() < 2 / 3 ? '满意' : '基本满意', evaluated_date: evaluated }, first: null };
}

/**
 * `count` items over the YEARS years up to YEAR, the same number each year, 建议 and 提案 three
 * to two, numbered from 1 per kind and year (numbers have at most four digits, so 100,000 items
 * take ten years of 10,000), assigned from February to September; one contact per unit.
 */
export async function buildProposals(path: string, count: number, onBatch: (done: number) => void): Promise<void> {
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);
  const random = seededRandom(20260301);
  const unitIds = insertUnits(sqlite, HANDLING_UNITS);
  insertPeople(sqlite, contactSeeds(unitIds, 1, 'console', () => randomPersonName(random)));

  const insertItem = sqlite.prepare(`
    INSERT INTO proposals (reg_no, kind, year, number, title, proposers, assigned_date, due_date, status, round, first_answer_on_time,
      answer_class, answer_date, answered_on_time, evaluation, evaluated_date, created_at, updated_at)
    VALUES (@reg_no, @kind, @year, @number, @title, @proposers, @assigned_date, @due_date, @status, @round, @first_answer_on_time,
      @answer_class, @answer_date, @answered_on_time, @evaluation, @evaluated_date, @created_at, @created_at)`);
  const insertUnit = sqlite.prepare('INSERT INTO proposal_units (proposal_id, unit_id, lead) VALUES (?, ?, ?)');
  const insertRound = sqlite.prepare(`
    INSERT INTO proposal_rounds (proposal_id, round, due_date, answer_class, answer_date, answered_on_time, evaluation, evaluated_date)
    VALUES (@id, 1, @due_date, @answer_class, @answer_date, @answered_on_time, '不满意', @evaluated_date)`);
  const insertBatch = sqlite.transaction((items: { s: Suggestion; row: ProposalRow; first: FirstRound | null }[]) => {
    for (const { s, row, first } of items) {
      const id = insertItem.run(row).lastInsertRowid;
      s.units.forEach((u, i) => insertUnit.run(id, unitIds[u], Number(i === 0)));
      if (first) insertRound.run({ id, ...first });
    }
  });

  const perYear = Math.ceil(count / YEARS);
  const suggestions = Math.ceil(perYear * SUGGESTION_SHARE);
  let batch: { s: Suggestion; row: ProposalRow; first: FirstRound | null }[] = [];
  for (let i = 0; i < count; i++) {
    const year = YEAR - YEARS + 1 + Math.floor(i / perYear);
    const n = (i % perYear) + 1;
    const s = n <= suggestions ? suggestion(random, '建议', n, `${year}-02-01`, 240) : suggestion(random, '提案', n - suggestions, `${year}-02-01`, 240);
    batch.push({ s, ...handling(random, s) });
    if (batch.length === BATCH || i === count - 1) {
      insertBatch(batch);
      batch = [];
      onBatch(i + 1);
    }
  }
  await closeBulk(db);
}
