// A bot database on the morning of a reminder run with a great deal due: N open items — 收文
// in hand, 建议/提案 awaiting an answer and 督办 items — every one overdue, due today or due
// within the three working days the reminders look ahead, spread over the county's units
// (departments, townships, villages), each unit with ten contacts, and a few leaders to hear
// of what is long overdue. Written in bulk; deterministic, like the rest of the corpus.
import type { Database } from 'better-sqlite3';
import { addDays, addMonths } from '../../src/lib/dates';
import { docNumberKey } from '../../src/services/documents';
import { formatRegNo, type NumberKind } from '../../src/services/numbering';
import { toGrams } from '../../src/services/search-grams';
import { closeBulk, contactSeeds, insertPeople, insertUnits, openBulk, sqliteOf } from './bulk';
import { BENCH_TODAY, HANDLING_UNITS, randomPersonName, randomSource, randomTitle, randomTopic, randomUrgency, seededRandom } from './corpus';

const YEAR = 2026;
const BATCH = 20_000;
export const UNITS = 500;
export const CONTACTS_PER_UNIT = 10;
const LEADERS = 10;
const TOWNS = ['城关镇', '东关镇', '西关镇', '南湖镇', '北山镇', '河口镇', '清泉镇', '石桥镇', '柳林镇', '杨集镇', '白沙乡', '红旗乡', '马庄乡', '高桥乡', '青山乡', '龙王庙乡', '三河乡', '双井乡', '新华乡', '太平乡'];
const VILLAGES = ['杨庄', '李庄', '王庄', '张庄', '刘家', '陈家', '高坡', '河西', '河东', '新村', '前营', '后营', '大湾', '小湾', '沙河', '柳树', '枣林', '桃园', '北岗', '南岗', '东岭', '西岭', '中心'];
// 2026-11-25 is a Wednesday: three working days on is Monday the 30th
const SOON = ['2026-11-26', '2026-11-27', '2026-11-30'];

/** The county's units: its departments, then townships, then their villages, `UNITS` in all. */
function unitNames(): string[] {
  const villages = TOWNS.flatMap((town) => VILLAGES.map((v) => `${town}${v}村`));
  return [...HANDLING_UNITS, ...TOWNS, ...villages].slice(0, UNITS);
}

/** 40% overdue by up to two months, 20% due today, 40% due within the look-ahead. */
function dueDate(random: () => number): string {
  const r = random();
  if (r < 0.4) return addDays(BENCH_TODAY, -1 - Math.floor(random() * 60));
  if (r < 0.6) return BENCH_TODAY;
  return SOON[Math.floor(random() * SOON.length)]!;
}

type Insert = (random: () => number, due: string, unitId: number, seq: number) => void;

/** 收文 handed to a unit, received 5–30 days before they are due. */
function documents(sqlite: Database): Insert {
  const doc = sqlite.prepare(`
    INSERT INTO documents (reg_no, direction, year, seq, title, doc_number, doc_number_key, source_unit, urgency, doc_date, due_date,
      handling_unit_id, status, assigned_at, assigned_date, created_at, updated_at)
    VALUES (?, 'in', ${YEAR}, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?, ?, ?)`);
  const grams = sqlite.prepare('INSERT INTO documents_fts (rowid, grams) VALUES (?, ?)');
  return (random, due, unitId, seq) => {
    const received = addDays(due, -5 - Math.floor(random() * 26));
    const at = Date.parse(`${received}T09:00:00+08:00`);
    const source = randomSource(random);
    const title = randomTitle(random, YEAR);
    const docNumber = `${source.prefix}〔${YEAR}〕${seq}号`;
    const id = doc.run(formatRegNo('SW', YEAR, seq), seq, title, docNumber, docNumberKey(docNumber), source.unit, randomUrgency(random), received, due, unitId, at, received, at, at).lastInsertRowid;
    grams.run(id, toGrams(title, docNumber, source.unit));
  };
}

/** 建议 (three in five) and 提案 assigned three months before they are due; one in ten sent back for another round. */
function proposals(sqlite: Database): Insert {
  const item = sqlite.prepare(`
    INSERT INTO proposals (reg_no, kind, year, number, title, proposers, assigned_date, due_date, status, round, created_at, updated_at)
    VALUES (?, ?, ${YEAR}, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const lead = sqlite.prepare('INSERT INTO proposal_units (proposal_id, unit_id, lead) VALUES (?, ?, 1)');
  return (random, due, unitId, seq) => {
    const kind = seq % 5 < 3 ? '建议' : '提案';
    const redo = random() < 0.1;
    const assigned = addMonths(due, redo ? -4 : -3);
    const at = Date.parse(`${assigned}T09:00:00+08:00`);
    const id = item.run(formatRegNo(kind === '建议' ? 'JY' : 'TA', YEAR, seq), kind, seq, `关于${randomTopic(random)}的${kind}`, randomPersonName(random), assigned, due, redo ? 'in_progress' : 'assigned', redo ? 2 : 1, at, at).lastInsertRowid;
    lead.run(id, unitId);
  };
}

/** Open 督办 items started 30–90 days before their deadline; two in five instructed by a leader. */
function supervision(sqlite: Database, leaderIds: readonly number[]): Insert {
  const item = sqlite.prepare(`
    INSERT INTO supervision_items (reg_no, year, seq, title, source, leader_id, start_date, deadline, feedback_cycle, status, last_feedback_date, created_at, updated_at)
    VALUES (?, ${YEAR}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const lead = sqlite.prepare('INSERT INTO supervision_units (item_id, unit_id, lead) VALUES (?, ?, 1)');
  return (random, due, unitId, seq) => {
    const start = addDays(due, -30 - Math.floor(random() * 61));
    const at = Date.parse(`${start}T09:00:00+08:00`);
    const instructed = random() < 0.4;
    const fed = random() < 0.6 ? addDays(start, 7) : null;
    const leader = instructed ? leaderIds[Math.floor(random() * leaderIds.length)]! : null;
    const id = item.run(formatRegNo('DB', YEAR, seq), seq, `推进${randomTopic(random)}`, instructed ? '领导批示' : '重点工作', leader, start, due, random() < 0.7 ? '一次' : '每周', fed ? 'in_progress' : 'assigned', fed, at, at).lastInsertRowid;
    lead.run(id, unitId);
  };
}

/** `count` open items: 60% 收文, 15% 建议/提案, 25% 督办, each with one handling unit. */
export async function buildReminders(path: string, count: number, onBatch: (done: number) => void): Promise<void> {
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);
  const random = seededRandom(20261125);
  const unitIds = insertUnits(sqlite, unitNames());
  insertPeople(sqlite, contactSeeds(unitIds, CONTACTS_PER_UNIT, 'lark', () => randomPersonName(random)));
  const leaderIds = insertPeople(
    sqlite,
    Array.from({ length: LEADERS }, (_, i) => ({ name: randomPersonName(random), role: 'leader' as const, platform: 'lark', userId: `leader-${i + 1}` })),
  );
  sqlite
    .prepare("INSERT INTO chats (platform, chat_id, type, title, enabled_groups, subscriptions, first_seen_at, last_seen_at) VALUES ('lark', 'oc_office', 'group', '县政府办公室工作群', '[\"全部\"]', '[\"提醒\"]', 0, 0)")
    .run();

  // 建议/提案 carry the official numbers they were given, not a counter of the bot's
  const kinds: [share: number, kind: NumberKind | 'proposal', insert: Insert][] = [
    [0.6, 'SW', documents(sqlite)],
    [0.15, 'proposal', proposals(sqlite)],
    [0.25, 'DB', supervision(sqlite, leaderIds)],
  ];
  const seqs = new Map<NumberKind | 'proposal', number>();
  const insertBatch = sqlite.transaction((n: number) => {
    for (let i = 0; i < n; i++) {
      let r = random();
      const [, kind, insert] = kinds.find(([share]) => (r -= share) < 0) ?? kinds.at(-1)!;
      const seq = (seqs.get(kind) ?? 0) + 1;
      seqs.set(kind, seq);
      insert(random, dueDate(random), unitIds[Math.floor(random() * unitIds.length)]!, seq);
    }
  });
  for (let done = 0; done < count; ) {
    const n = Math.min(BATCH, count - done);
    insertBatch(n);
    done += n;
    onBatch(done);
  }
  const setCounter = sqlite.prepare(`INSERT INTO counters (kind, year, last) VALUES (?, ${YEAR}, ?)`);
  sqlite.transaction(() => seqs.forEach((last, kind) => kind !== 'proposal' && setCounter.run(kind, last)))();
  await closeBulk(db);
}
