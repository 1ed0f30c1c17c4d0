// The measured halves of the figures benchmark, each run by figures.ts in a fresh process of its
// own so that its times and RSS are those of a bot at work, not of the bulk build before it.
//   argv: stats <database path> <year> <runs> <warm-ups>
//         export <database path> <year> <file.xlsx>
import { existsSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { makeLedgerFile } from '../../src/jobs/ledger-file';
import { systemActor } from '../../src/services/actor';
import { yearPeriod } from '../../src/services/stats';
import { sendTimed, startBot } from './bot-harness';
import { sqliteOf } from './bulk';
import { replyWithRows } from './child';
import { percentiles, row, type Row } from './report';
import { rssMb, startRssSampler } from './rss';

/** timings of the figures without the engine, for context */
const SERVICE_RUNS = 5;
const SENTENCES = /全年收到上级来文 (\d+) 件/;

const [mode, dbPath, yearArg, ...rest] = process.argv.slice(2);
const year = Number(yearArg);

/** `runs` timings of fn, awaited, after `warmups` untimed ones. */
async function timeRuns(fn: () => unknown, runs: number, warmups: number): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measureStats(runs: number, warmups: number): Promise<Row[]> {
  const sampler = startRssSampler();
  const h = await startBot(dbPath!);
  const text = `年度统计 ${year}`;
  // two replies each: the card, then the sentences for the annual report
  h.replies.expect(new RegExp(`^(【年度统计（${year}年）】|全年收到上级来文 \\d+ 件)`));
  const samples: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const ms = await sendTimed(h, text);
    if (i >= warmups) samples.push(ms);
    // untimed, between messages, as the dispatcher would
    await h.bot.dispatcher.flush();
    await yieldToLoop();
  }
  h.replies.verify(2 * (warmups + runs), text);
  const engine = percentiles(samples);
  const rssPeak = sampler.peak();
  sampler.stop();

  const [last] = await h.bot.db.all<{ payload: string }>(sql`SELECT payload FROM outbox WHERE payload LIKE '%全年收到上级来文%' ORDER BY id DESC LIMIT 1`);
  const sentences = last === undefined ? null : (JSON.parse(last.payload) as { text?: string }).text ?? null;
  const received = sentences === null ? null : SENTENCES.exec(sentences);
  if (!received) throw new Error(`no 全年收到上级来文 sentence among the replies to ${text}`);

  const bare = sqliteOf(h.bot.db).prepare("SELECT count(*) FROM documents WHERE direction = 'in' AND doc_date BETWEEN ? AND ?").pluck();
  let counted = 0;
  const baseline = percentiles(await timeRuns(() => (counted = bare.get(`${year}-01-01`, `${year}-12-31`) as number), runs, warmups));
  if (Number(received[1]) !== counted) throw new Error(`年度统计 counted ${received[1]} 收文, the bare count ${counted}`);

  // the same figures without the engine around them: what the command's handler calls
  const { stats, proposals } = h.bot.services;
  const actor = systemActor('bench');
  // context only, so a few runs do
  const service = percentiles(
    await timeRuns(
      async () => {
        await stats.report(yearPeriod(year), actor);
        await proposals.stats('建议', year, actor);
        await proposals.stats('提案', year, actor);
      },
      Math.min(runs, SERVICE_RUNS),
      1,
    ),
  );
  // the same with the working-day walk of the average left out: what the SQL alone costs
  const calendar = h.bot.services.calendar;
  const walk = calendar.workdaysBetween;
  let sqlOnly: ReturnType<typeof percentiles>;
  calendar.workdaysBetween = async () => 0;
  try {
    sqlOnly = percentiles(await timeRuns(() => stats.report(yearPeriod(year), actor), Math.min(runs, SERVICE_RUNS), 1));
  } finally {
    calendar.workdaysBetween = walk;
  }
  await h.bot.stop();

  return [
    row(`年度统计 ${year} p50`, engine.p50, 'ms', { baseline: baseline.p50 }),
    row(`年度统计 ${year} p90`, engine.p90, 'ms'),
    row(`年度统计 ${year} p99`, engine.p99, 'ms', { target: 200, baseline: baseline.p99 }),
    row(`年度统计 ${year} max`, engine.max, 'ms'),
    row(`年度统计 ${year} figures alone (stats.report + proposals.stats ×2, no engine), median of ${Math.min(runs, SERVICE_RUNS)}`, service.p50, 'ms'),
    row(`  stats.report with calendar.workdaysBetween stubbed to 0 (its queries alone), median of ${Math.min(runs, SERVICE_RUNS)}`, sqlOnly.p50, 'ms'),
    row(`收文 in ${year} counted by 年度统计 (= the bare count)`, counted, 'documents'),
    row('bot process RSS peak while answering 年度统计', rssPeak, 'MB'),
  ];
}

async function measureExport(file: string): Promise<Row[]> {
  const h = await startBot(dbPath!);
  const rssBefore = rssMb();
  // the bot's loop is free during the export, so a timer sees its RSS throughout
  const sampler = startRssSampler();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  // what the export worker awaits for each request
  const made = await makeLedgerFile({ database: h.bot.db.location, kind: '督办', year, unitId: null, filePath: file });
  const total = performance.now() - started;
  loopDelay.disable();
  const botPeak = sampler.peak();
  sampler.stop();
  await h.bot.stop();
  if (!existsSync(file) || statSync(file).size === 0) throw new Error(`no workbook written at ${file}`);
  const rows = made.sheets.reduce((n, s) => n + s.rows, 0);
  return [
    row(`导出 督办 ${year}: ${rows.toLocaleString('en')} rows, total (child forked → workbook written → child exited)`, total / 1000, 's', { target: 10 }),
    row('  of which in the child: database opened and ledgers.sheets (query and rows)', made.queryMs / 1000, 's'),
    row('  of which in the child: writeLedger (.xlsx written)', made.writeMs / 1000, 's'),
    row('  of which the child\'s start-up, report and exit (the rest)', (total - made.queryMs - made.writeMs) / 1000, 's'),
    row('export process (the child) RSS peak', made.peakRssMb, 'MB', { target: 400 }),
    row('bot process RSS before the export', rssBefore, 'MB'),
    row('  bot process RSS growth during the export (peak − before)', botPeak - rssBefore, 'MB'),
    row('bot event loop: longest delay during the export', loopDelay.max / 1e6, 'ms'),
  ];
}

replyWithRows(() => {
  if (mode === 'stats') return measureStats(Number(rest[0]), Number(rest[1]));
  if (mode === 'export') return measureExport(rest[0]!);
  return Promise.reject(new Error(`figures-bot: unknown mode ${mode}; expected stats or export`));
});
