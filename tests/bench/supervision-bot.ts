// The measured half of the supervision benchmark, in a bot process of its own: 督办逾期 through
// the engine as an admin (every overdue item) and as a unit contact (their unit's), beside the
// bare SQL that finds the same items.
//   argv: <database path>
import type { Database } from 'better-sqlite3';
import { startBot, timeAsAdminAndContact } from './bot-harness';
import { CONTACT } from './build-supervision';
import { replyWithRows } from './child';
import { BENCH_TODAY } from './corpus';
import { row, type Row } from './report';

const SAMPLES = 300;
const WARMUP = 20;
const OVERDUE_LIST = /逾期督办件：共 \d+ 件，显示前 10 件】\nDB-/;

const [dbPath] = process.argv.slice(2);

/** What the command must at least do: count the overdue items and fetch the ten most overdue. */
function bareSql(sqlite: Database, unitId: number | null): { samples: number[]; total: number } {
  const scope = unitId === null ? '' : 'AND id IN (SELECT item_id FROM supervision_units WHERE unit_id = @unitId)';
  const where = `status <> 'closed' AND deadline < @today ${scope}`;
  const count = sqlite.prepare(`SELECT count(*) FROM supervision_items WHERE ${where}`).pluck();
  const top = sqlite.prepare(`SELECT * FROM supervision_items WHERE ${where} ORDER BY deadline, id LIMIT 10`);
  const params = { today: BENCH_TODAY, unitId };
  let total = 0;
  const samples = Array.from({ length: WARMUP + SAMPLES }, () => {
    const started = performance.now();
    total = count.get(params) as number;
    top.all(params);
    return performance.now() - started;
  });
  return { samples: samples.slice(WARMUP), total };
}

async function main(): Promise<Row[]> {
  const h = await startBot(dbPath!);
  const { admin, contact, bareAll, bareUnit } = await timeAsAdminAndContact(h, '督办逾期', OVERDUE_LIST, CONTACT, { warmup: WARMUP, samples: SAMPLES }, bareSql);
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
