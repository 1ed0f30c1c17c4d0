// The served half of the console benchmark, in a bot process of its own: the real HTTP server
// (the console and /healthz) on a free loopback port, with a console session for its admin.
// Sends { port, cookie } once listening. Asked { floor: year }, times the least SQL that gives the
// ledger page's answer and answers with the timings and that answer; 'stop' stops cleanly.
//   argv: <database path>
import type { Database } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { ADMIN } from './bot-harness';
import { sqliteOf } from './bulk';
import { PAGE_SIZE } from '../../src/web/pages';
import { FLOOR_SAMPLES, type FromBot, type SheetAnswer, type ToBot } from './console';

const FLOOR_WARMUP = 20;

const [dbPath] = process.argv.slice(2);
const send = (m: FromBot) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

/**
 * The floor under the first page of a year's 公文台账: for each sheet (收文, 发文) its count and
 * its first fifty rows in registration order, on the (direction, year, seq) index, with only the
 * columns the page shows (the unit's name joined, the status and 按时办结 as their words).
 */
function floorQuery(sqlite: Database, year: number): () => SheetAnswer[] {
  const count = sqlite.prepare('SELECT count(*) FROM documents WHERE direction = ? AND year = ?').pluck();
  const incoming = sqlite
    .prepare(
      `SELECT d.reg_no, d.doc_number, d.title, d.source_unit, d.urgency, d.doc_date, d.due_date, u.name,
         CASE d.status WHEN 'registered' THEN '待分办' WHEN 'assigned' THEN '办理中' WHEN 'closed' THEN '已办结' END,
         d.closed_date, CASE d.closed_on_time WHEN 1 THEN '是' WHEN 0 THEN '否' END, d.result, d.remarks
       FROM documents d LEFT JOIN units u ON u.id = d.handling_unit_id
       WHERE d.direction = 'in' AND d.year = ? ORDER BY d.seq LIMIT ${PAGE_SIZE}`,
    )
    .raw();
  const outgoing = sqlite
    .prepare(`SELECT reg_no, doc_number, title, recipients, drafting_unit, urgency, doc_date, remarks FROM documents WHERE direction = 'out' AND year = ? ORDER BY seq LIMIT ${PAGE_SIZE}`)
    .raw();
  const text = (rows: unknown[][]) => rows.map((r) => r.map((c) => (c === null ? '' : String(c))));
  return () => [
    { total: count.get('in', year) as number, rows: text(incoming.all(year) as unknown[][]) },
    { total: count.get('out', year) as number, rows: text(outgoing.all(year) as unknown[][]) },
  ];
}

async function main(): Promise<void> {
  // as `npm start` runs it, housekeeping on its own timer, without the scheduler
  const config = loadConfig({ DATABASE_PATH: dbPath!, LOG_LEVEL: 'silent', ADMIN_IDS: `${ADMIN.platform}:${ADMIN.userId}` });
  const bot = await createBot({ config, log: createLogger('silent') });
  await bot.start({ port: 0, host: '127.0.0.1' });
  const sqlite = sqliteOf(bot.db);
  const [admin] = await bot.db.all<{ person_id: number }>(sql`SELECT person_id FROM identities WHERE platform = ${ADMIN.platform} AND user_id = ${ADMIN.userId}`);
  const session = await bot.services.consoleAuth.startSession(admin!.person_id);
  process.on('message', async (m: ToBot) => {
    if (m === 'stop') {
      await bot.stop();
      process.exit(0);
    }
    const answer = floorQuery(sqlite, m.floor);
    const samples = Array.from({ length: FLOOR_WARMUP + FLOOR_SAMPLES }, () => {
      const started = performance.now();
      answer();
      return performance.now() - started;
    });
    await send({ samples: samples.slice(FLOOR_WARMUP), answer: answer() });
  });
  await send({ port: bot.port(), cookie: `zw_console=${session.id}` });
}

// orphaned (the benchmark failed or was interrupted): nothing left to serve
process.on('disconnect', () => process.exit(1));

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
