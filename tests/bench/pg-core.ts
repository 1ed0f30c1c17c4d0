// The core figures on PostgreSQL beside SQLite: the same corpus built into an SQLite file
// (build-db.ts, as the core section builds it) and into a PostgreSQL database (build-pg.ts), the
// keyword shares checked equal so that a keyword means the same on both, then fresh bot processes
// (postgres-bot.ts) on each, alternating, so that a noisy spell of the machine falls on both.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { FLUSH_EVERY } from './bot-harness';
import { buildDatabase } from './build-db';
import { buildPgDatabase, DOCUMENTS_PER_STATEMENT, GRAMS_PER_STATEMENT } from './build-pg';
import { measureInChild } from './child';
import { count, progress } from './cli';
import { differing, pgKeywordCounts, shareNotes, sqliteKeywordCounts, type KeywordCounts } from './keyword-shares';
import type { PgServer } from './pg-server';
import { mergeRuns, row, type Row } from './report';

async function timedBuild(dialect: string, docs: number, build: (onBatch: (done: number) => void) => Promise<void>): Promise<number> {
  const started = performance.now();
  await build((done) => progress(`building on ${dialect}: ${count(done)} of ${count(docs)} documents`));
  const seconds = (performance.now() - started) / 1000;
  progress(`built ${count(docs)} documents on ${dialect} in ${seconds.toFixed(1)} s\n`);
  return seconds;
}

/** The database's size on the server, and its keyword counts through document_grams. */
async function inspectPg(url: string): Promise<{ sizeMb: number; counts: KeywordCounts }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    return { sizeMb: Number(rows[0]!.bytes) / 1_048_576, counts: await pgKeywordCounts(client) };
  } finally {
    await client.end();
  }
}

/** The rows of both dialects, each PostgreSQL figure followed by the same figure on SQLite. */
function beside(onPostgres: Row[], onSqlite: Row[]): Row[] {
  return onPostgres.flatMap((r, i) => [r, onSqlite[i]!]);
}

export async function coreOnBoth(server: PgServer, dir: string, docs: number, runs: number): Promise<{ rows: Row[]; notes: string[] }> {
  const path = join(dir, 'core.db');
  const sqliteSeconds = await timedBuild('SQLite', docs, (onBatch) => buildDatabase(path, docs, onBatch));
  const url = await server.createDatabase();
  const pgSeconds = await timedBuild('PostgreSQL', docs, (onBatch) => buildPgDatabase(url, docs, onBatch));
  const built = await inspectPg(url);
  const sqliteCounts = sqliteKeywordCounts(path);
  const differ = differing(sqliteCounts, built.counts);

  const script = new URL('./postgres-bot.ts', import.meta.url);
  const onPostgres: Row[][] = [];
  const onSqlite: Row[][] = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`  measuring: bot process ${i + 1} of ${runs} on PostgreSQL, then on SQLite\n`);
    onPostgres.push(await measureInChild(script, [url, String(i)]));
    onSqlite.push(await measureInChild(script, [path, String(i)]));
  }

  return {
    rows: [
      row(`build ${count(docs)} documents, PostgreSQL`, pgSeconds, 's'),
      row(`build ${count(docs)} documents, SQLite`, sqliteSeconds, 's'),
      row('database size after build, PostgreSQL', built.sizeMb, 'MB'),
      row('database size after build, SQLite', statSync(path).size / 1_048_576, 'MB'),
      row('keywords matching a different number of documents on PostgreSQL than on SQLite', differ.length, 'keywords', { target: 0 }),
      ...beside(mergeRuns(onPostgres), mergeRuns(onSqlite)),
    ],
    notes: [
      `${count(docs)} documents, the same rows on both (tests/bench/corpus.ts); ${shareNotes(built.counts, docs).join('; ')}${differ.length ? `; on SQLite instead: ${shareNotes(sqliteCounts, docs).join('; ')}` : ' (the same on SQLite)'}`,
      `PostgreSQL build: INSERT … SELECT FROM unnest($1::bigint[], …) of ${count(DOCUMENTS_PER_STATEMENT)} documents, then their bigrams ${count(GRAMS_PER_STATEMENT)} rows a statement, synchronous_commit off; document_grams's key and reference to documents set aside during the load and made again after it (as pg_restore does); counters and the id sequence as the last registration left them; VACUUM (ANALYZE), as autovacuum would have run long before a real database held this much`,
      `${runs} bot process(es) on each database, measured is the median, (min–max) over them; timed from arrival in the inbox until the reply is committed (receive + drain), messages one after another, replies handed to a no-op sender every ${FLUSH_EVERY} messages, untimed; on PostgreSQL each message is its own transaction (src/engine/inbox-worker.ts), on SQLite housekeeping runs at the bot's pace as in the core section`,
      'baseline for 收文登记: one-row INSERT committed on its own on the same database (PostgreSQL: a prepared statement in autocommit, one round trip; SQLite: BEGIN IMMEDIATE … COMMIT)',
      'baseline for 公文查询: the least SQL for the same reply, in one prepared statement on the same database: the newest 1,001 ids from the index (PostgreSQL: document_grams WHERE gram = kw ORDER BY document_id DESC; SQLite: documents_fts MATCH), their count, and the 10 the reply lists in the bot\'s order; its answer is checked against the bot\'s last reply for that keyword',
    ],
  };
}
