// The core issue's figures, with 1,000,000 documents in the database (BENCH_DOCS overrides):
// 收文登记 through the engine p99 ≤ 5 ms, 公文查询 by a two-character keyword p99 ≤ 50 ms,
// process RSS ≤ 200 MB. Builds the database here, then measures in fresh bot processes
// (BENCH_RUNS of them, default 2) and reports the median of their figures.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildDatabase } from './build-db';
import { COMMON_KEYWORD, SELECTIVE_KEYWORDS } from './corpus';
import { mergeRuns, row, type Row, type Section, type SectionResult } from './report';
import { rssMb, startRssSampler } from './rss';

const botScript = fileURLToPath(new URL('./core-bot.ts', import.meta.url));

function envCount(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

/** Rewrites one status line on a terminal; elsewhere only lines ending in a newline are worth printing. */
function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${line}`);
  else if (line.endsWith('\n')) process.stderr.write(`  ${line}`);
}

async function build(path: string, docs: number): Promise<Row[]> {
  const sampler = startRssSampler();
  const started = performance.now();
  await buildDatabase(path, docs, (done) => progress(`building: ${done.toLocaleString('en')} of ${docs.toLocaleString('en')} documents`));
  const seconds = (performance.now() - started) / 1000;
  progress(`built ${docs.toLocaleString('en')} documents in ${seconds.toFixed(1)} s\n`);
  const rows = [
    row(`build ${docs.toLocaleString('en')} documents`, seconds, 's'),
    row('build process RSS after build', rssMb(), 'MB'),
    row('build process RSS peak (not the bot)', sampler.peak(), 'MB'),
  ];
  sampler.stop();
  return rows;
}

/** What share of documents each search term matches, through the same index the bot uses. */
function keywordShares(path: string, docs: number): string[] {
  const sqlite = new Database(path, { readonly: true });
  const count = sqlite.prepare('SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?').pluck();
  const share = (kw: string) => `${kw} ${((100 * (count.get(`"${kw}"`) as number)) / docs).toFixed(2)}%`;
  const notes = [
    `two-character keywords (cycled), share of documents matched: ${SELECTIVE_KEYWORDS.map(share).join(', ')}`,
    `worst-case keyword: ${share(COMMON_KEYWORD)}`,
  ];
  sqlite.close();
  return notes;
}

/** One measuring bot process; resolves with its rows. */
function measureInChild(path: string, run: number): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    let rows: Row[] | null = null;
    const child = fork(botScript, [path, String(run)], { execArgv: process.execArgv });
    child.on('message', (message) => (rows = message as Row[]));
    child.on('error', reject);
    child.on('exit', (code) => (rows && code === 0 ? resolve(rows) : reject(new Error(`bot process exited with code ${code}`))));
  });
}

async function run(): Promise<SectionResult> {
  const docs = envCount('BENCH_DOCS', 1_000_000);
  const runs = envCount('BENCH_RUNS', 2);
  const dir = mkdtempSync(join(tmpdir(), 'zwbot-bench-'));
  const path = join(dir, 'bot.db');
  try {
    const buildRows = await build(path, docs);
    const notes = keywordShares(path, docs);
    const perRun: Row[][] = [];
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`  measuring: bot process ${i + 1} of ${runs}\n`);
      perRun.push(await measureInChild(path, i));
    }
    notes.push(
      `${docs.toLocaleString('en')} documents; ${runs} bot process(es), measured is the median, (min–max) over them`,
      'baseline for 收文登记: one-row INSERT in its own BEGIN IMMEDIATE transaction on the same database',
      'baseline for 公文查询: LIKE \'%kw%\' newest 10 plus count(*) over documents.title, no index (p50 of 20)',
      'the 200 MB target applies to the bot process while serving; the build process is a bulk loader, shown for context',
    );
    return { name: 'core', rows: [...buildRows, ...mergeRuns(perRun)], notes };
  } finally {
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`  database kept at ${path}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export const core: Section = { name: 'core', run };
