// The measured half of the reminders benchmark, in a process of its own as a scheduled run or
// `npm run job` would be: one reminder run for 08:50 on the bench's day, timed and its peak RSS
// taken (the kernel's high-water mark: on SQLite the run never waits for I/O, so no timer could
// sample it while it runs), then a second start for the same slot, which must queue nothing.
// Beside it, the floor: the three queries that read the due items, alone.
//   argv: <database path>
import type { Database } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { runJob } from '../../src/jobs/run-job';
import { SOON_WORKDAYS } from '../../src/services/reminders';
import { startBot } from './bot-harness';
import { sqliteOf } from './bulk';
import { replyWithRows } from './child';
import { BENCH_TODAY } from './corpus';
import { row, type Row } from './report';
import { peakRssMb, rssMb } from './rss';

const [dbPath] = process.argv.slice(2);

/** The open items due by the look-ahead, read as plainly as SQL allows. */
function readDueItems(sqlite: Database, horizon: string): { ms: number; items: number } {
  const queries = [
    "SELECT reg_no, title, due_date, handling_unit_id FROM documents WHERE status IN ('registered', 'assigned') AND due_date <= ? AND handling_unit_id IS NOT NULL",
    "SELECT p.reg_no, p.kind, p.title, p.due_date, u.unit_id FROM proposals p JOIN proposal_units u ON u.proposal_id = p.id AND u.lead = 1 WHERE p.status IN ('assigned', 'in_progress') AND p.due_date <= ?",
    "SELECT s.reg_no, s.title, s.deadline, u.unit_id, s.leader_id FROM supervision_items s JOIN supervision_units u ON u.item_id = s.id AND u.lead = 1 WHERE s.status <> 'closed' AND s.deadline <= ?",
  ].map((q) => sqlite.prepare(q));
  const started = performance.now();
  const items = queries.reduce((n, q) => n + q.all(horizon).length, 0);
  return { ms: performance.now() - started, items };
}

async function main(): Promise<Row[]> {
  const { bot, clock } = await startBot(dbPath!);
  const at = Date.parse(`${BENCH_TODAY}T08:50:00+08:00`);
  clock.set(at);
  const count = async (table: 'outbox' | 'reminders_sent') => (await bot.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`))[0]!.n;
  const rssBefore = rssMb();

  const started = performance.now();
  const { summary } = await runJob(bot.services, 'reminders', at);
  const seconds = (performance.now() - started) / 1000;
  const peak = peakRssMb();
  if (summary.outcome !== 'done') throw new Error(`reminder run: ${JSON.stringify(summary)}`);
  const queued = await count('outbox');
  const records = await count('reminders_sent');

  const again = (await runJob(bot.services, 'reminders', at)).summary;
  const queuedAgain = (await count('outbox')) - queued;
  const floor = readDueItems(sqliteOf(bot.db), await bot.services.calendar.addWorkdays(BENCH_TODAY, SOON_WORKDAYS));
  await bot.stop();

  return [
    row('reminder run, queued every message', seconds, 's', { target: 3, baseline: floor.ms / 1000 }),
    row('process RSS peak (kernel high-water mark)', peak, 'MB', { target: 300 }),
    row('process RSS before the run', rssBefore, 'MB'),
    row('recipients', summary.recipients, 'people'),
    row('messages (one per person or chat reached)', summary.messages, 'messages'),
    row('outbox rows queued (people told the same share a row)', queued, 'rows'),
    row('items reminded of', summary.items, 'items'),
    row('reminder records written', records, 'rows'),
    row(`second start for the same slot (${again.outcome}): rows queued`, queuedAgain, 'rows', { target: 0 }),
    row('open items the floor read', floor.items, 'items'),
  ];
}

replyWithRows(main);
