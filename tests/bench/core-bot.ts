// The measured half of the core benchmark, run by core.ts in a process of its own so that its
// RSS is that of a bot serving requests, not of the bulk build. Talks to the real bot through
// the inbox → engine → outbox path the messengers use, and sends its rows back over IPC.
//   argv: <database path> <run number>
import type { Database } from 'better-sqlite3';
import { startBot } from './bot-harness';
import { sqliteOf } from './bulk';
import { replyWithRows } from './child';
import { COMMON_SEARCHES, measureRegistrations, measureSearches, SELECTIVE_SEARCHES } from './core-commands';
import { COMMON_KEYWORD, SELECTIVE_KEYWORDS } from './corpus';
import { bareInsertMs } from './floors';
import { percentiles, row, type Row } from './report';
import { rssMb, startRssSampler } from './rss';

const BASELINE_SCANS = 20;

const [dbPath, runArg] = process.argv.slice(2);
const run = Number(runArg);

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
  const registrations = percentiles(await measureRegistrations(h, run));
  const selective = percentiles(await measureSearches(h, SELECTIVE_KEYWORDS, SELECTIVE_SEARCHES));
  const common = percentiles(await measureSearches(h, [COMMON_KEYWORD], COMMON_SEARCHES));
  const housekeeping = h.housekeeping.held;
  const rssServed = rssMb();
  const rssPeak = sampler.peak();
  sampler.stop();

  const sqlite = sqliteOf(h.bot.db);
  const insert = percentiles(await bareInsertMs(h.bot.db));
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
