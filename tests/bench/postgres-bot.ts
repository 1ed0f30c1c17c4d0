// The measured half of the postgres section's core figures, in a fresh bot process per run as
// core-bot.ts is: the same 收文登记 and 公文查询 messages (core-commands.ts) through the inbox →
// engine → outbox path, on the database it is given, an SQLite file or a postgres:// URL (the bot
// opens either as DATABASE_PATH or DATABASE_URL would have it); then the floors under them on the
// same database, the search's answer checked against the bot's reply.
//   argv: <database path or URL> <run number>
import { startBot } from './bot-harness';
import { replyWithRows } from './child';
import { COMMON_SEARCHES, measureRegistrations, measureSearches, SELECTIVE_SEARCHES } from './core-commands';
import { COMMON_KEYWORD, SELECTIVE_KEYWORDS } from './corpus';
import { bareInsertMs, bareSearch, checkSameAnswer } from './floors';
import { percentiles, row, type Bounds, type Row } from './report';
import { startRssSampler } from './rss';

// the targets on PostgreSQL; the SQLite figures beside them are for comparison (the core
// section holds SQLite to its own)
const REGISTRATION_P99_MS = 10;
const SEARCH_P99_MS = 50;

const [location, runArg] = process.argv.slice(2);
const run = Number(runArg);

async function main(): Promise<Row[]> {
  const sampler = startRssSampler();
  const h = await startBot(location!);
  const onPostgres = h.bot.db.dialect === 'pg';
  const registrations = percentiles(await measureRegistrations(h, run));
  const selective = percentiles(await measureSearches(h, SELECTIVE_KEYWORDS, SELECTIVE_SEARCHES));
  const selectiveReply = h.replies.last!;
  const common = percentiles(await measureSearches(h, [COMMON_KEYWORD], COMMON_SEARCHES));
  const commonReply = h.replies.last!;
  const rssPeak = sampler.peak();
  sampler.stop();

  const insert = percentiles(await bareInsertMs(h.bot.db));
  const bareSelective = await bareSearch(h.bot.db, SELECTIVE_KEYWORDS, SELECTIVE_SEARCHES);
  const bareCommon = await bareSearch(h.bot.db, [COMMON_KEYWORD], COMMON_SEARCHES);
  // the last search of each kind was for the last keyword of its cycle
  const lastSelective = SELECTIVE_KEYWORDS[(SELECTIVE_SEARCHES - 1) % SELECTIVE_KEYWORDS.length]!;
  checkSameAnswer(selectiveReply, bareSelective.answers.get(lastSelective)!, `公文查询 ${lastSelective}`);
  checkSameAnswer(commonReply, bareCommon.answers.get(COMMON_KEYWORD)!, `公文查询 ${COMMON_KEYWORD}`);
  const floorSelective = percentiles(bareSelective.samples);
  const floorCommon = percentiles(bareCommon.samples);
  await h.bot.stop();

  const dialect = onPostgres ? 'PostgreSQL' : 'SQLite';
  const target = (ms: number): Bounds => (onPostgres ? { target: ms } : {});
  return [
    row(`收文登记 p50, ${dialect}`, registrations.p50, 'ms', { baseline: insert.p50 }),
    row(`收文登记 p99, ${dialect}`, registrations.p99, 'ms', { ...target(REGISTRATION_P99_MS), baseline: insert.p99 }),
    row(`收文登记 max, ${dialect}`, registrations.max, 'ms'),
    row(`公文查询 two-character keyword p50, ${dialect}`, selective.p50, 'ms', { baseline: floorSelective.p50 }),
    row(`公文查询 two-character keyword p99, ${dialect}`, selective.p99, 'ms', { ...target(SEARCH_P99_MS), baseline: floorSelective.p99 }),
    row(`公文查询 ${COMMON_KEYWORD} (worst case) p50, ${dialect}`, common.p50, 'ms', { baseline: floorCommon.p50 }),
    row(`公文查询 ${COMMON_KEYWORD} (worst case) p99, ${dialect}`, common.p99, 'ms', { ...target(SEARCH_P99_MS), baseline: floorCommon.p99 }),
    row(`bot process RSS peak while serving, ${dialect}`, rssPeak, 'MB'),
  ];
}

replyWithRows(main);
