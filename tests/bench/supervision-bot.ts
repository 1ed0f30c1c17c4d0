// The measured half of the supervision benchmark, in a bot process of its own: 督办逾期 through
// the engine as an admin (every overdue item) and as a unit contact (their unit's), beside the
// least SQL that gives the same answer, which is checked against the bot's reply.
//   argv: <database path>
import type { Database } from 'better-sqlite3';
import { OPEN } from '../../src/services/supervision-rules';
import { startBot, timeAsAdminAndContact } from './bot-harness';
import { sqliteOf } from './bulk';
import { CONTACT } from './build-supervision';
import { replyWithRows } from './child';
import { BENCH_TODAY } from './corpus';
import { row, type Row } from './report';

const SAMPLES = 300;
const WARMUP = 20;
const SHOWN = 10;
const OVERDUE_LIST = /逾期督办件：共 \d+ 件，显示前 10 件】\nDB-/;
// a listed item as the reply shows it: 编号【预警】标题｜牵头单位｜时限 已逾期 N 天
const LISTED = /^(DB-\d{4}-\d+)【[^】]*】(.*)｜([^｜]*)｜(\d{4}-\d{2}-\d{2}) /;

const [dbPath] = process.argv.slice(2);

interface Answer {
  total: number;
  /** number, title, lead unit and deadline of each item shown, in the reply's order */
  shown: string[][];
}

/**
 * The floor under 督办逾期: the count and the most overdue items with the fields the reply
 * shows, on the same (status, deadline) index the service seeks (the open states named, not
 * `<> 'closed'`), and the lead unit looked up for the shown items only.
 */
function floorQuery(sqlite: Database, unitId: number | null): () => Answer {
  const scope = unitId === null ? '' : 'AND i.id IN (SELECT item_id FROM supervision_units WHERE unit_id = @unitId)';
  const where = `i.status IN (${OPEN.map((s) => `'${s}'`).join(', ')}) AND i.deadline < @today ${scope}`;
  const count = sqlite.prepare(`SELECT count(*) FROM supervision_items i WHERE ${where}`).pluck();
  const top = sqlite
    .prepare(
      `SELECT i.reg_no, i.title,
         (SELECT u.name FROM supervision_units su JOIN units u ON u.id = su.unit_id WHERE su.item_id = i.id AND su.lead) AS lead,
         i.deadline
       FROM supervision_items i WHERE ${where} ORDER BY i.deadline, i.id LIMIT ${SHOWN}`,
    )
    .raw();
  const params = { today: BENCH_TODAY, ...(unitId === null ? {} : { unitId }) };
  return () => ({ total: count.get(params) as number, shown: top.all(params) as string[][] });
}

function bareSql(sqlite: Database, unitId: number | null): { samples: number[]; total: number } {
  const answer = floorQuery(sqlite, unitId);
  let total = 0;
  const samples = Array.from({ length: WARMUP + SAMPLES }, () => {
    const started = performance.now();
    total = answer().total;
    return performance.now() - started;
  });
  return { samples: samples.slice(WARMUP), total };
}

/** Throws unless the reply lists what the floor finds: a baseline answering something else is no baseline. */
function checkReply(reply: string, floor: Answer, who: string): void {
  const total = Number(/共 (\d+) 件/.exec(reply)?.[1]);
  const shown = reply.split('\n').flatMap((line) => {
    const m = LISTED.exec(line);
    return m ? [m.slice(1)] : [];
  });
  if (total !== floor.total || JSON.stringify(shown) !== JSON.stringify(floor.shown)) {
    throw new Error(`督办逾期 (${who}): the bot shows ${total} items, ${JSON.stringify(shown)}; the baseline finds ${floor.total}, ${JSON.stringify(floor.shown)}`);
  }
}

async function main(): Promise<Row[]> {
  const h = await startBot(dbPath!);
  const { admin, contact, replies, unitId, bareAll, bareUnit } = await timeAsAdminAndContact(h, '督办逾期', OVERDUE_LIST, CONTACT, { warmup: WARMUP, samples: SAMPLES }, bareSql);
  const sqlite = sqliteOf(h.bot.db);
  checkReply(replies.admin, floorQuery(sqlite, null)(), 'admin');
  checkReply(replies.contact, floorQuery(sqlite, unitId)(), 'contact');
  const all = bareAll.percentiles;
  const unit = bareUnit.percentiles;
  await h.bot.stop();
  return [
    row('督办逾期 as admin p50', admin.p50, 'ms', { baseline: all.p50 }),
    row('督办逾期 as admin p99', admin.p99, 'ms', { target: 50, baseline: all.p99 }),
    row('督办逾期 as admin max', admin.max, 'ms'),
    row('督办逾期 as a unit contact p50', contact.p50, 'ms', { baseline: unit.p50 }),
    row('督办逾期 as a unit contact p99', contact.p99, 'ms', { target: 50, baseline: unit.p99 }),
    row('督办逾期 as a unit contact max', contact.max, 'ms'),
    row('overdue items (all units)', bareAll.total, 'items'),
    row("overdue items the contact's unit leads or helps with", bareUnit.total, 'items'),
  ];
}

replyWithRows(main);
