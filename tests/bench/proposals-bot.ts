// The statistics half of the proposals benchmark, in a bot process of its own: 建议统计 <year>
// through the engine as an admin (every item) and as a unit contact (their unit's), beside one
// bare GROUP BY that computes the same figures.
//   argv: <database path>
import type { Database } from 'better-sqlite3';
import { startBot, timeAsAdminAndContact } from './bot-harness';
import { CONTACT, YEAR } from './build-proposals';
import { replyWithRows } from './child';
import { BENCH_TODAY } from './corpus';
import { row, type Row } from './report';

const SAMPLES = 100;
const WARMUP = 5;
const STATS_CARD = new RegExp(`${YEAR}年建议办理情况：共 \\d+ 件】`);

const [dbPath] = process.argv.slice(2);

/** Every figure the card shows, per lead unit and status in one pass; the totals are their sums. */
function bareSql(sqlite: Database, unitId: number | null): { samples: number[]; total: number } {
  const scope = unitId === null ? '' : 'AND p.id IN (SELECT proposal_id FROM proposal_units WHERE unit_id = @unitId)';
  const figures = sqlite.prepare(`
    SELECT pu.unit_id, p.status, count(*) AS n,
      sum(p.first_answer_on_time IS NOT NULL) AS answered, sum(p.first_answer_on_time = 1) AS on_time,
      sum(p.first_answer_on_time IS NOT NULL OR p.due_date < @today) AS decided,
      sum(p.evaluation = '满意') AS satisfied, sum(p.evaluation = '基本满意') AS basically, sum(p.evaluation = '不满意') AS unsatisfied
    FROM proposals p JOIN proposal_units pu ON pu.proposal_id = p.id AND pu.lead = 1
    WHERE p.kind = '建议' AND p.year = @year ${scope}
    GROUP BY pu.unit_id, p.status`);
  const params = { today: BENCH_TODAY, year: YEAR, unitId };
  let items = 0;
  const samples = Array.from({ length: WARMUP + SAMPLES }, () => {
    const started = performance.now();
    items = (figures.all(params) as { n: number }[]).reduce((sum, r) => sum + r.n, 0);
    return performance.now() - started;
  });
  return { samples: samples.slice(WARMUP), total: items };
}

async function main(): Promise<Row[]> {
  const h = await startBot(dbPath!);
  const { admin, contact, bareAll, bareUnit } = await timeAsAdminAndContact(h, `建议统计 ${YEAR}`, STATS_CARD, CONTACT, { warmup: WARMUP, samples: SAMPLES }, bareSql);
  const all = bareAll.percentiles;
  const unit = bareUnit.percentiles;
  await h.bot.stop();
  return [
    row(`建议统计 ${YEAR} as admin p50`, admin.p50, 'ms', { baseline: all.p50 }),
    row(`建议统计 ${YEAR} as admin p99`, admin.p99, 'ms', { target: 100, baseline: all.p99 }),
    row(`建议统计 ${YEAR} as admin max`, admin.max, 'ms'),
    row(`建议统计 ${YEAR} as a unit contact p50`, contact.p50, 'ms', { baseline: unit.p50 }),
    row(`建议统计 ${YEAR} as a unit contact p99`, contact.p99, 'ms', { target: 100, baseline: unit.p99 }),
    row(`建议统计 ${YEAR} as a unit contact max`, contact.max, 'ms'),
    row(`items in the admin's card (${YEAR}'s 建议)`, bareAll.total, 'items'),
    row("items in the contact's card (their unit leads or helps)", bareUnit.total, 'items'),
  ];
}

replyWithRows(main);
