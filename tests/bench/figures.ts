// Issue 9's figures: 年度统计 with 1,000,000 documents and 100,000 supervision items p99 ≤ 200 ms;
// a ledger export of 100,000 rows ≤ 10 s and ≤ 400 MB RSS.
//
// Two databases are built here, in bulk:
//  - the statistics one: FIGURES_DOCS 收文 (default 1,000,000; build-db.ts's corpus, 2020 → the
//    bench's yesterday) and FIGURES_ITEMS 督办 items (default 100,000) over the same years, with
//    their units and feedback; 年度统计 2026 is timed there through the engine in a fresh bot
//    process (figures-bot.ts), FIGURES_RUNS times (default 30) after FIGURES_WARMUPS (default 3);
//  - the export one: FIGURES_EXPORT_ROWS 督办 items (default 100,000), every one started in 2026,
//    so that the 2026 督办台账 has exactly that many rows; another fresh bot process makes it as
//    the export worker does, in a child process of its own (makeLedgerFile), timed end to end,
//    the child's peak RSS and the bot's RSS growth reported, the workbook's rows counted back here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { strFromU8, unzipSync } from 'fflate';
import { buildDatabase } from './build-db';
import { closeBulk, insertUnits, openBulk, sqliteOf } from './bulk';
import { between, closedState, insertSupervision, openState, YESTERDAY, type Cycle, type ItemState, type SupervisionTotals } from './bulk-supervision';
import { measureInChild } from './child';
import { count, envCount, inScratchDir, progress } from './cli';
import { BENCH_TODAY, DAY_MS, HANDLING_UNITS, isoDate } from './corpus';
import { row, type Row, type Section, type SectionResult } from './report';

/** The year 年度统计 and the export are asked for: the bench's current year. */
export const FIGURES_YEAR = 2026;

const TODAY = Date.parse(BENCH_TODAY);
/** Documents handed to a unit on a later day than they arrived (the rest the same day). */
const LATE_ASSIGNMENT_PERCENT = 15;

/**
 * Where an item stands today, from its start day: items of the last year are overdue (10%) or
 * still open and not yet due more often than old ones, which are nearly all closed (2% left
 * overdue); a closed item closed on or before its deadline about four times in five.
 */
function state(random: () => number, start: number): ItemState {
  const deadline = start + between(random, 10, 90) * DAY_MS;
  const recent = TODAY - start < 365 * DAY_MS;
  const r = random();
  if (deadline >= TODAY && r < 0.6) return openState(random, start, deadline);
  if (deadline < TODAY && r < (recent ? 0.1 : 0.02)) return openState(random, start, deadline);
  return closedState(random, deadline, Math.min(start + between(random, 5, (deadline - start) / DAY_MS + 20) * DAY_MS, YESTERDAY));
}

/** Feedback days of an item: evenly from its second day to its last feedback, more for weekly and monthly items. */
function feedbackDays(random: () => number, start: number, last: number, c: Cycle): number[] {
  const span = Math.max(0, (last - start) / DAY_MS);
  const wanted = c === '一次' ? between(random, 1, 2) : c === '每周' ? between(random, 2, 6) : between(random, 1, 4);
  const n = Math.max(1, Math.min(wanted, span));
  return Array.from({ length: n }, (_, k) => last - Math.floor(((n - 1 - k) * span) / n) * DAY_MS);
}

// the 督办 items of both databases: with feedback rows, counted for the year asked for
const FIGURES_SUPERVISION = { leaderPrefix: 'figures-leader', state, feedbackDays, year: FIGURES_YEAR };

/**
 * build-db.ts leaves documents.assigned_date empty (the column came after it), which 急件当日分办
 * reads; filled here as 分办 would have: the day it arrived for most, the next day for
 * LATE_ASSIGNMENT_PERCENT of them, assigned_at moved with it. Returns the rows changed.
 */
function fillAssignedDates(sqlite: Database): number {
  return sqlite
    .prepare(
      `UPDATE documents SET
         assigned_date = CASE WHEN (id * 7919) % 100 < ${LATE_ASSIGNMENT_PERCENT} THEN date(doc_date, '+1 day') ELSE doc_date END,
         assigned_at = assigned_at + CASE WHEN (id * 7919) % 100 < ${LATE_ASSIGNMENT_PERCENT} THEN ${DAY_MS} ELSE 0 END
       WHERE assigned_at IS NOT NULL AND assigned_date IS NULL`,
    )
    .run().changes + fillHandlingWorkdays(sqlite);
}

/** handling_workdays is fixed when a document closes; build-db.ts predates it: about 5/7 of the calendar days. */
function fillHandlingWorkdays(sqlite: Database): number {
  return sqlite
    .prepare(
      `UPDATE documents SET handling_workdays = max(0, CAST(round((julianday(closed_date) - julianday(doc_date)) * 5.0 / 7) AS INTEGER))
       WHERE status = 'closed' AND handling_workdays IS NULL`,
    )
    .run().changes;
}

interface Built {
  rows: Row[];
  notes: string[];
}

/** The statistics database: the documents corpus, assigned dates filled in, then 督办 over the same years. */
async function buildStatsDatabase(path: string, docs: number, items: number): Promise<Built> {
  const started = performance.now();
  await buildDatabase(path, docs, (done) => progress(`building: ${count(done)} of ${count(docs)} documents`));
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);
  const filled = fillAssignedDates(sqlite);
  const totals = await insertSupervision(sqlite, {
    ...FIGURES_SUPERVISION,
    total: items,
    fromDay: Date.UTC(2020, 0, 1),
    seed: 20261127,
    onBatch: (done) => progress(`building: ${count(done)} of ${count(items)} supervision items`),
  });
  sqlite.exec('ANALYZE');
  const docsInYear = sqlite.prepare("SELECT count(*) FROM documents WHERE direction = 'in' AND doc_date BETWEEN ? AND ?").pluck().get(`${FIGURES_YEAR}-01-01`, `${FIGURES_YEAR}-12-31`) as number;
  const closedInYear = sqlite.prepare("SELECT count(*) FROM documents WHERE status = 'closed' AND closed_date BETWEEN ? AND ?").pluck().get(`${FIGURES_YEAR}-01-01`, `${FIGURES_YEAR}-12-31`) as number;
  // what the working-days average of 年度统计 walks: each distinct (arrival, closing) pair of the year and the year before
  const pairs = sqlite
    .prepare(
      `SELECT count(*) AS pairs, coalesce(sum(julianday(closed_date) - julianday(doc_date)), 0) AS days FROM
         (SELECT DISTINCT doc_date, closed_date FROM documents WHERE status = 'closed' AND closed_date BETWEEN ? AND ?)`,
    )
    .get(`${FIGURES_YEAR - 1}-01-01`, `${FIGURES_YEAR}-12-31`) as { pairs: number; days: number };
  await closeBulk(db);
  const seconds = (performance.now() - started) / 1000;
  progress(`built ${count(docs)} documents and ${count(items)} supervision items in ${seconds.toFixed(1)} s\n`);
  return {
    rows: [row(`build ${count(docs)} documents + ${count(items)} supervision items`, seconds, 's')],
    notes: [
      `statistics database: ${count(docs)} 收文 dated evenly 2020-01-01 → ${isoDate(YESTERDAY)} (build-db.ts), ${count(docsInYear)} of them in ${FIGURES_YEAR}, ${count(closedInYear)} closed in ${FIGURES_YEAR}; ` +
        `assigned_date, which build-db.ts leaves empty, filled here for ${count(filled)} assigned documents (${100 - LATE_ASSIGNMENT_PERCENT}% the day they arrived, the rest the next day); no 发文 and no 建议提案 rows`,
      `${count(totals.items)} 督办 items started evenly over the same years (${count(totals.inYear)} in ${FIGURES_YEAR}), four sources, 1–3 units each (${count(totals.units)} supervision_units rows), ` +
        `${count(totals.closed)} closed, the rest open (some overdue), ${count(totals.feedback)} feedback rows`,
      `documents closed in ${FIGURES_YEAR - 1}–${FIGURES_YEAR} (the year and the one 年度统计 compares it with) form ${count(pairs.pairs)} distinct (doc_date, closed_date) pairs spanning ${count(Math.round(pairs.days))} calendar days in all`,
    ],
  };
}

/** The export database: units, leaders and `items` 督办 items all started in the export year. */
async function buildExportDatabase(path: string, items: number): Promise<Built & { totals: SupervisionTotals }> {
  const started = performance.now();
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);
  insertUnits(sqlite, HANDLING_UNITS);
  const totals = await insertSupervision(sqlite, {
    ...FIGURES_SUPERVISION,
    total: items,
    fromDay: Date.UTC(FIGURES_YEAR, 0, 1),
    seed: 20261128,
    onBatch: (done) => progress(`building: ${count(done)} of ${count(items)} supervision items for the export`),
  });
  sqlite.exec('ANALYZE');
  await closeBulk(db);
  const seconds = (performance.now() - started) / 1000;
  progress(`built ${count(items)} supervision items for the export in ${seconds.toFixed(1)} s\n`);
  return {
    totals,
    rows: [row(`build ${count(items)} supervision items (export database)`, seconds, 's')],
    notes: [
      `export database: ${count(totals.items)} 督办 items all started ${FIGURES_YEAR}-01-01 → ${isoDate(YESTERDAY)}, so the ${FIGURES_YEAR} 督办台账 holds ${count(totals.inYear)} rows; ` +
        `${count(totals.units)} supervision_units rows, ${count(totals.feedback)} feedback rows; no documents`,
    ],
  };
}

/** Rows of the workbook's first sheet, header included: the file is unzipped and its <row> elements counted. */
function workbookRows(file: string): number {
  const xml = strFromU8(unzipSync(readFileSync(file), { filter: (f) => f.name === 'xl/worksheets/sheet1.xml' })['xl/worksheets/sheet1.xml']!);
  return xml.match(/<row[ >]/g)?.length ?? 0;
}

async function run(): Promise<SectionResult> {
  const docs = envCount('FIGURES_DOCS', 1_000_000);
  const items = envCount('FIGURES_ITEMS', 100_000);
  const exportRows = envCount('FIGURES_EXPORT_ROWS', 100_000);
  const runs = envCount('FIGURES_RUNS', 30);
  const warmups = envCount('FIGURES_WARMUPS', 3);
  return inScratchDir(async (dir) => {
    const statsPath = join(dir, 'stats.db');
    const stats = await buildStatsDatabase(statsPath, docs, items);
    process.stderr.write('  measuring: 年度统计 in a bot process\n');
    const statsRows = await measureInChild(new URL('./figures-bot.ts', import.meta.url), ['stats', statsPath, String(FIGURES_YEAR), String(runs), String(warmups)]);

    const exportPath = join(dir, 'export.db');
    const built = await buildExportDatabase(exportPath, exportRows);
    const file = join(dir, 'exports', `督办台账-${FIGURES_YEAR}.xlsx`);
    process.stderr.write('  measuring: 导出 督办 in a bot process\n');
    const exportRowsMeasured = await measureInChild(new URL('./figures-bot.ts', import.meta.url), ['export', exportPath, String(FIGURES_YEAR), file]);
    if (!existsSync(file)) throw new Error(`the export wrote no file at ${file}`);
    const sheetRows = workbookRows(file) - 1;
    if (sheetRows !== built.totals.inYear) throw new Error(`the workbook holds ${sheetRows} rows under its header, expected ${built.totals.inYear}`);

    return {
      name: 'figures',
      rows: [...stats.rows, ...statsRows, ...built.rows, ...exportRowsMeasured, row('exported workbook size', statSync(file).size / 1_048_576, 'MB'), row('exported workbook rows (read back, header excluded)', sheetRows, 'rows')],
      notes: [
        ...stats.notes,
        `年度统计 ${FIGURES_YEAR}: timed in a fresh bot process (console:admin, ManualClock at ${BENCH_TODAY}T09:00+08:00) from arrival in the inbox until both replies are committed (receive + drain), ${runs} runs after ${warmups} untimed; ` +
          'each reply checked (the card and the sentences, which must start 全年收到上级来文 and count as many 收文 as the baseline does)',
        'for context, in the same process: the figures alone (stats.report and both proposals.stats, no engine), and stats.report once more with calendar.workdaysBetween stubbed to 0 for the duration, so that the queries\' share shows apart from the working-day walk of 平均办理',
        `baseline: the bare SELECT count(*) FROM documents WHERE direction='in' AND doc_date BETWEEN '${FIGURES_YEAR}-01-01' AND '${FIGURES_YEAR}-12-31', timed the same number of times in the same process`,
        ...built.notes,
        `导出 督办 ${FIGURES_YEAR}: in a fresh bot process, makeLedgerFile('督办', ${FIGURES_YEAR}) to a temp .xlsx, as the export worker does: a child process (the bundle's ledger-process.mjs, run by plain node with its own V8 memory flags) opens the database, ` +
          'runs ledgers.sheets and writeLedger, reports its rows, times and peak RSS (the kernel\'s high-water mark VmHWM, which sees peaks inside synchronous work: the export\'s RSS against the 400 MB target) and exits; ' +
          'the total runs from the fork to the child\'s exit; the bot\'s RSS growth is the peak of a 100 ms sampler during the export less its RSS before, its event-loop delay from monitorEventLoopDelay (10 ms resolution); the workbook is unzipped afterwards here and its rows counted',
      ],
    };
  });
}

export const figures: Section = { name: 'figures', run };
