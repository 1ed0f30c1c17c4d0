import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

const STATEMENT_CACHE_SIZE = 500;

/**
 * Drizzle compiles every query it runs afresh, and compiling SQL is a good part of what a
 * command costs; the same few dozen statements serve every message, so each is compiled once.
 * A statement comes back in its default modes (drizzle switches some to raw rows), and one
 * still busy iterating is left alone and a fresh one compiled.
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      // most recently used last: the oldest is evicted when the cache is full
      cache.delete(source);
      cache.set(source, cached);
      return cached.reader ? cached.raw(false).pluck(false).expand(false) : cached;
    }
    const statement = prepare(source);
    if (!cached) {
      cache.set(source, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

/** Opens (creating if needed) the database file, sets the pragmas and applies pending migrations. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets readers (the REPL, a job, a backup) work beside the running bot; NORMAL is durable
  // across a process crash in WAL mode, which is the failure the inbox/outbox guard against.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -16000');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

// One wrapper per connection, passed the work: better-sqlite3 builds four functions for each
// wrapper, which an import taking a savepoint per spreadsheet row paid per row.
const runners = new WeakMap<Database.Database, Database.Transaction<(fn: () => unknown) => unknown>>();

/**
 * Runs fn in one SQLite transaction taken for writing up front (BEGIN IMMEDIATE), so two
 * processes registering at once queue on the busy timeout instead of failing at commit.
 * Nested calls become savepoints: an inner failure rolls back only the inner work.
 */
export function transaction<T>(db: Db, fn: () => T): T {
  const run = runners.get(db.$client) ?? runners.set(db.$client, db.$client.transaction((f: () => unknown) => f())).get(db.$client)!;
  return (db.$client.inTransaction ? run(fn) : run.immediate(fn)) as T;
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}

/**
 * A consistent copy of a live database file (SQLite's online backup: writers carry on), then
 * opened and checked. Returns the copy's integrity verdict and how many documents it holds.
 */
export async function backupDatabase(source: string, target: string): Promise<{ integrity: string; documents: number }> {
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 5000');
    await live.backup(target);
  } finally {
    live.close();
  }
  const copy = new Database(target, { readonly: true });
  try {
    return { integrity: copy.pragma('integrity_check', { simple: true }) as string, documents: copy.prepare('SELECT count(*) FROM documents').pluck().get() as number };
  } finally {
    copy.close();
  }
}
