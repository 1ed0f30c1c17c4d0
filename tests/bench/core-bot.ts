// The measured half of the core benchmark, run by core.ts in a process of its own so that its
// RSS is that of a bot serving requests, not of the bulk build. Talks to the real bot through
// the inbox → engine → outbox path the messengers use, and sends its rows back over IPC.
//   argv: <database path> <run number>
import type { Database } from 'better-sqlite3';
import { startBot, timeAll, type Harness } from './bot-harness';
import { sqliteOf } from './bulk';
import { replyWithRows } from './child';
import { COMMON_KEYWORD, randomSource, randomTitle, randomUrgency, seededRandom, SELECTIVE_KEYWORDS } from './corpus';
import { percentiles, row, type Row } from './report';
import { rssMb, startRssSampler } from './rss';

const REGISTRATIONS = 2_000;
const REGISTRATION_WARMUP = 200;
const SELECTIVE_SEARCHES = 500;
const COMMON_SEARCHES = 200;
const BASELINE_SCANS = 20;
const REGISTERED = /已登记收文：SW-2026-\d+/;
const HIT_LIST = /共 \d+ 件(以上)?，显示前 10 件】\nSW-/;

const [dbPath, runArg] = process.argv.slice(2);
const run = Number(runArg);

/** 文号 numbers above any the corpus issued, distinct per run, so no registration is refused as a repeat. */
function registrationTexts(count: number): string[] {
  const random = seededRandom(1000 + run);
  return Array.from({ length: count }, (_, i) => {
    const source = randomSource(random);
    const docNumber = `${source.prefix}〔2026〕${100_000 * (run + 1) + i}号`;
    return `收文登记 标题=${randomTitle(random, 2026)} 来文单位=${source.unit} 文号=${docNumber} 紧急程度=${randomUrgency(random)}`;
  });
}

function searchTexts(keywords: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => `公文查询 ${keywords[i % keywords.length]}`);
}

async function measureRegistrations(h: Harness): Promise<number[]> {
  const texts = registrationTexts(REGISTRATION_WARMUP + REGISTRATIONS);
  await timeAll(h, texts.slice(0, REGISTRATION_WARMUP), REGISTERED, '收文登记 warm-up');
  return timeAll(h, texts.slice(REGISTRATION_WARMUP), REGISTERED, '收文登记');
}

/** One untimed query per keyword first, to warm the caches. */
async function measureSearches(h: Harness, keywords: readonly string[], count: number): Promise<number[]> {
  await timeAll(h, searchTexts(keywords, keywords.length), HIT_LIST, '公文查询 warm-up');
  return timeAll(h, searchTexts(keywords, count), HIT_LIST, '公文查询');
}

/** The cheapest write the database can do in its own transaction: the floor under 收文登记. */
function bareInsertMs(sqlite: Database): number[] {
  sqlite.exec('CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, note TEXT NOT NULL, at INTEGER NOT NULL)');
  const insert = sqlite.prepare('INSERT INTO bench_scratch (note, at) VALUES (?, ?)');
  const once = sqlite.transaction((i: number) => insert.run(`bench ${i}`, Date.now()));
  const samples: number[] = [];
  for (let i = 0; i < REGISTRATION_WARMUP + REGISTRATIONS; i++) {
    const started = performance.now();
    once.immediate(i);
    if (i >= REGISTRATION_WARMUP) samples.push(performance.now() - started);
  }
  sqlite.exec('DROP TABLE bench_scratch');
  return samples;
}

/** The search without the index: newest ten by substring, and the count a reply needs. */
function likeScanMs(sqlite: Database, keywords: readonly string[]): number[] {
  const newest = sqlite.prepare('SELECT id, reg_no, title FROM documents WHERE title LIKE ? ORDER BY id DESC LIMIT 10');
  const count = sqlite.prepare('SELECT count(*) FROM documents WHERE title LIKE ?').pluck();
  return Array.from({ length: BASELINE_SCANS }, (_, i) => {
    const pattern = `%${keywords[i % keywords.length]}%`;
    const started = performance.now();
    newest.all(pattern);
    count.get(pattern);
    return performance.now() - started;
  });
}

async function main(): Promise<Row[]> {
  const sampler = startRssSampler();
  const h = await startBot(dbPath!);
  const rssStarted = rssMb();
  const registrations = percentiles(await measureRegistrations(h));
  const selective = percentiles(await measureSearches(h, SELECTIVE_KEYWORDS, SELECTIVE_SEARCHES));
  const common = percentiles(await measureSearches(h, [COMMON_KEYWORD], COMMON_SEARCHES));
  const housekeeping = h.housekeeping.held;
  const rssServed = rssMb();
  const rssPeak = sampler.peak();
  sampler.stop();

  const sqlite = sqliteOf(h.bot.db);
  const insert = percentiles(bareInsertMs(sqlite));
  const likeSelective = percentiles(likeScanMs(sqlite, SELECTIVE_KEYWORDS));
  const likeCommon = percentiles(likeScanMs(sqlite, [COMMON_KEYWORD]));
  await h.bot.stop();

  return [
    row('收文登记 p50', registrations.p50, 'ms', { baseline: insert.p50 }),
    row('收文登记 p90', registrations.p90, 'ms'),
    row('收文登记 p99', registrations.p99, 'ms', { target: 5, baseline: insert.p99 }),
    row('收文登记 max', registrations.max, 'ms'),
    row('公文查询 two-character keyword p50', selective.p50, 'ms', { baseline: likeSelective.p50 }),
    row('公文查询 two-character keyword p99', selective.p99, 'ms', { target: 50 }),
    row('公文查询 two-character keyword max', selective.max, 'ms'),
    row(`公文查询 ${COMMON_KEYWORD} (worst case) p50`, common.p50, 'ms', { baseline: likeCommon.p50 }),
    row(`公文查询 ${COMMON_KEYWORD} (worst case) p99`, common.p99, 'ms', { target: 50 }),
    row('housekeeping steps while serving (the bot\'s timer, each counted in the message after it)', housekeeping.length, 'steps'),
    row('housekeeping step, longest hold of the event loop', Math.max(0, ...housekeeping), 'ms'),
    row('bot process RSS at start', rssStarted, 'MB'),
    row('bot process RSS after serving', rssServed, 'MB'),
    row('bot process RSS peak while serving', rssPeak, 'MB', { target: 200 }),
  ];
}

replyWithRows(main);
