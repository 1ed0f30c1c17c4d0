// The one door to the database, on either dialect. Services write drizzle's SQLite query
// builders and await them; on PostgreSQL the same builders run through drizzle's PostgreSQL
// session (the tables are plain column lists both dialects compile; PostgreSQL stores them as
// db/schema-pg.ts derives). Which connection a statement runs on is decided here, from the
// transaction in scope (AsyncLocalStorage): code inside `db.tx()` cannot reach a connection
// other than its transaction's by mistake, which on PostgreSQL would wait on its own row locks.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import * as schema from './schema';

export type Dialect = 'sqlite' | 'pg';

/** The query builders services write with, awaited on either dialect (never `.get()`, `.all()`, `.run()`: SQLite-only). */
export type Q = BaseSQLiteDatabase<'async', unknown, typeof schema>;

export interface Db {
  readonly dialect: Dialect;
  /** Where the data lives, for log lines and child processes: a file path or a postgres:// URL. */
  readonly location: string;
  /** The builders of the transaction in scope, or, outside one, of a reader (SQLite: a read-only connection; PostgreSQL: the pool). */
  readonly q: Q;
  readonly inTransaction: boolean;
  /**
   * Runs fn in one transaction (SQLite: BEGIN IMMEDIATE on the write connection, one at a time
   * in this process; PostgreSQL: a pooled connection). Nested calls become savepoints: an inner
   * failure rolls back only the inner work.
   */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs fn, whose writing is one statement, atomically: in the transaction in scope if there is
   * one, else on its own (PostgreSQL: in autocommit, without BEGIN and COMMIT's two round trips;
   * SQLite: in a transaction, as every write there is).
   */
  statement<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs fn once the transaction in scope has committed (at once outside one; never if it rolls
   * back): to wake another part of the process for what the transaction wrote, which on
   * PostgreSQL another connection cannot see before the commit.
   */
  afterCommit(fn: () => void): void;
  /** Rows of a raw statement, on the connection in scope. */
  all<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Runs a raw statement on the connection in scope; how many rows it changed. */
  run(query: SQL): Promise<number>;
  /** SQLite's write connection, for what only SQLite has (the search index, checkpoints, backup); null on PostgreSQL. */
  readonly sqlite: Database.Database | null;
  /** PostgreSQL's pool, for advisory locks and listing; null on SQLite. */
  readonly pool: pg.Pool | null;
  close(): Promise<void>;
}

/** How many rows an awaited insert, update or delete changed, on either driver. */
export function changedRows(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return Number(r.changes ?? r.rowCount ?? 0);
}

/**
 * `column IN ids` as each dialect takes a long list best: PostgreSQL one array parameter (a
 * thousand bound values cost it more to receive and plan than the query costs to run), SQLite the list.
 */
export function idIn(dialect: Dialect, column: AnyColumn, ids: readonly number[]): SQL {
  return dialect === 'pg' ? sql`${column} = ANY(${sql.param(ids)}::bigint[])` : inArray(column, ids as number[]);
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

const sqliteMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
const pgMigrations = fileURLToPath(new URL('./migrations-pg', import.meta.url));

/** The folder of drizzle-kit migrations for the database a location names. */
export function migrationsFolder(location: string): string {
  return isPostgresUrl(location) ? pgMigrations : sqliteMigrations;
}

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

/** Hands the lock to one waiter at a time, in arrival order. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return ready;
  }
}

interface Scope<C> {
  q: C;
  depth: number;
  /** run once the outermost transaction has committed */
  committed: (() => void)[];
}

function openScope<C>(parent: Scope<C> | undefined, q: C): Scope<C> {
  return { q, depth: parent ? parent.depth + 1 : 0, committed: [] };
}

/** A scope's work is kept: its callbacks join its parent's, or run now that the outermost has committed. */
function settle<C>(parent: Scope<C> | undefined, scope: Scope<C>): void {
  if (parent) parent.committed.push(...scope.committed);
  else for (const fn of scope.committed) runCallback(fn);
}

// The transaction has committed whatever a callback does: its failure must not make the commit
// look failed to the caller (who would then report, or retry, work that is done), nor keep the
// callbacks after it from running.
function runCallback(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.emitWarning(error instanceof Error ? error : String(error), 'AfterCommitWarning');
  }
}

function afterCommitIn<C>(scopes: AsyncLocalStorage<Scope<C>>, fn: () => void): void {
  const scope = scopes.getStore();
  if (scope) scope.committed.push(fn);
  else runCallback(fn);
}

function openSqlite(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const writer = new Database(path);
  // WAL lets readers (the reader connection, the REPL, a job, a backup) work beside the
  // writer; NORMAL is durable across a process crash in WAL mode, which is the failure the
  // inbox/outbox guard against.
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.pragma('foreign_keys = ON');
  writer.pragma('busy_timeout = 5000');
  writer.pragma('cache_size = -16000');
  cacheStatements(writer);
  const writeDb = drizzleSqlite(writer, { schema });
  migrateSqlite(writeDb, { migrationsFolder: sqliteMigrations });
  // Reads outside a transaction go to a read-only connection: WAL gives it the last committed
  // state, never the half-done work of a transaction another request has open on the writer,
  // and a write attempted outside db.tx() fails at once instead of joining someone's transaction.
  const reader = new Database(path, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -16000');
  cacheStatements(reader);
  const readRaw = drizzleSqlite(reader, { schema });
  const readDb = readRaw as unknown as Q;
  const writeQ = writeDb as unknown as Q;
  const scopes = new AsyncLocalStorage<Scope<Q>>();
  const mutex = new Mutex();
  // Unique per connection, so a savepoint's name never refers to another's. Savepoints still form
  // a stack: work inside one transaction must not run two db.tx() side by side (Promise.all).
  let savepoints = 0;
  let closed = false;

  return {
    dialect: 'sqlite',
    location: path,
    get q() {
      return scopes.getStore()?.q ?? readDb;
    },
    get inTransaction() {
      return scopes.getStore() !== undefined;
    },
    async tx<T>(fn: () => Promise<T>): Promise<T> {
      const parent = scopes.getStore();
      const scope = openScope(parent, writeQ);
      if (parent) {
        const name = `sp${++savepoints}`;
        writer.exec(`SAVEPOINT ${name}`);
        try {
          const result = await scopes.run(scope, fn);
          writer.exec(`RELEASE ${name}`);
          settle(parent, scope);
          return result;
        } catch (error) {
          // an error SQLite answers by rolling the whole transaction back leaves no savepoint to return to
          if (writer.inTransaction) {
            writer.exec(`ROLLBACK TO ${name}`);
            writer.exec(`RELEASE ${name}`);
          }
          throw error;
        }
      }
      const release = await mutex.lock();
      let result: T;
      try {
        if (closed) throw new Error('the database is closed');
        // taken for writing up front, so two processes registering at once queue on the busy
        // timeout instead of failing at commit
        writer.exec('BEGIN IMMEDIATE');
        try {
          result = await scopes.run(scope, fn);
          writer.exec('COMMIT');
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      } finally {
        release();
      }
      settle(parent, scope);
      return result;
    },
    statement(fn) {
      return scopes.getStore() ? fn() : this.tx(fn);
    },
    afterCommit: (fn) => afterCommitIn(scopes, fn),
    async all<T>(query: SQL): Promise<T[]> {
      return (scopes.getStore() ? writeDb : readRaw).all(query) as T[];
    },
    async run(query: SQL): Promise<number> {
      return (scopes.getStore() ? writeDb : readRaw).run(query).changes;
    },
    sqlite: writer,
    pool: null,
    async close() {
      const release = await mutex.lock();
      closed = true;
      if (reader.open) reader.close();
      if (writer.open) writer.close();
      // a transaction asked for later gets the lock, and the error, instead of waiting forever
      release();
    },
  };
}

// int8 (ids, counts, epoch milliseconds) and numeric (sums, averages) as numbers: every such
// value the bot keeps is far below 2^53, and the services were written for numbers. Set on pg's
// shared parsers because drizzle's session hands each query those, not a pool's own.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

// Savepoints a transaction leaves to its end before it releases the rest (see savepoint()).
const KEPT_SAVEPOINTS = 8;

interface PgScope extends Scope<NodePgDatabase<typeof schema>> {
  client: pg.PoolClient;
  /** shared by the transaction's scopes */
  transaction: { kept: number };
}

// Instances starting together migrate one at a time: the others wait on this lock, then find
// nothing left to do.
const MIGRATION_LOCK = 0x7a770001;

async function openPostgres(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  const migrator = new pg.Client({ connectionString: url });
  await migrator.connect();
  try {
    await migrator.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(migrator), { migrationsFolder: pgMigrations });
    await migrator.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await migrator.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // an idle client's connection dropping (a restarted server) must not end the process
  pool.on('error', () => undefined);
  const root = drizzlePg(pool, { schema });
  // drizzle over one pooled connection, for the transactions on it: made once per connection, as
  // a drizzle with the schema is costly to build
  const onConnection = new WeakMap<pg.PoolClient, NodePgDatabase<typeof schema>>();
  const drizzleOn = (client: pg.PoolClient) => {
    let on = onConnection.get(client);
    if (!on) {
      // a connection lost while checked out (a server restarted mid-transaction) is reported on
      // the connection itself, and unheard would end the process; the statement waiting on it
      // fails anyway, and the transaction with it
      client.on('error', () => undefined);
      onConnection.set(client, (on = drizzlePg(client, { schema })));
    }
    return on;
  };
  const scopes = new AsyncLocalStorage<PgScope>();
  const current = () => scopes.getStore()?.q ?? root;
  let savepoints = 0;

  async function savepoint<T>(parent: PgScope, fn: () => Promise<T>): Promise<T> {
    const name = `sp${++savepoints}`;
    const { client, transaction } = parent;
    await client.query(`SAVEPOINT ${name}`);
    const scope: PgScope = { ...openScope(parent, parent.q), client, transaction };
    try {
      const result = await scopes.run(scope, fn);
      // Each round trip counts on PostgreSQL (a message's handling is a score of them), and the
      // commit, or a rollback to an outer savepoint, ends this one as well as RELEASE would. Only
      // a transaction opening many (a bulk job, one per item) releases them, so as not to keep
      // each one's bookkeeping on the server until the commit.
      if (++transaction.kept > KEPT_SAVEPOINTS) await client.query(`RELEASE SAVEPOINT ${name}`);
      settle(parent, scope);
      return result;
    } catch (error) {
      // released too, in the same round trip: a transaction refusing row after row of an import
      // would otherwise keep every one of them open. If even this fails, the transaction is beyond
      // saving, and its next statement says so.
      await client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
  }

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // a connection that failed mid-transaction is closed rather than handed to the next caller
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const scope: PgScope = { ...openScope<NodePgDatabase<typeof schema>>(undefined, drizzleOn(client)), client, transaction: { kept: 0 } };
      let result: T;
      try {
        result = await scopes.run(scope, fn);
        // a transaction an error had already aborted (one caught and not rolled back to a
        // savepoint) answers COMMIT by rolling back, without an error: its work is lost, say so
        const ended = await client.query('COMMIT');
        if (ended.command !== 'COMMIT') throw new Error('the transaction was rolled back by an earlier error in it');
      } catch (error) {
        await client.query('ROLLBACK').catch((failed: Error) => (broken = failed));
        throw error;
      }
      settle(undefined, scope);
      return result;
    } finally {
      client.release(broken);
    }
  }

  return {
    dialect: 'pg',
    location: url,
    get q() {
      return current() as unknown as Q;
    },
    get inTransaction() {
      return scopes.getStore() !== undefined;
    },
    tx<T>(fn: () => Promise<T>): Promise<T> {
      const parent = scopes.getStore();
      return parent ? savepoint(parent, fn) : transaction(fn);
    },
    // outside a transaction the statement goes to the pool, where it commits as it ends
    statement: (fn) => fn(),
    afterCommit: (fn) => afterCommitIn(scopes, fn),
    async all<T>(query: SQL): Promise<T[]> {
      return (await current().execute(query)).rows as T[];
    },
    async run(query: SQL): Promise<number> {
      return (await current().execute(query)).rowCount ?? 0;
    },
    sqlite: null,
    pool,
    async close() {
      await pool.end();
    },
  };
}

/**
 * Opens the database a location names (a postgres:// URL, else an SQLite file, created if
 * needed) and applies pending migrations.
 */
export function openDatabase(location: string, options: { poolSize?: number } = {}): Promise<Db> {
  return isPostgresUrl(location) ? openPostgres(location, options) : Promise.resolve(openSqlite(location));
}

/**
 * A consistent copy of a live SQLite file (SQLite's online backup: writers carry on), then
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
