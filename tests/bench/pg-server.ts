// The PostgreSQL server the postgres section measures on (BENCH_PG_URL), and the databases it makes
// there: each a fresh zwbot_bench_<random>, dropped when the section ends however it ends (a
// failure, Ctrl-C or SIGTERM), so a run never leaves a million documents on someone's server. The
// server is usually shared (the tests make their databases on it too): nothing else is touched.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Unavailable } from './cli';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PgServer {
  /** A new, empty database (openDatabase migrates it); its URL. Dropped when the section ends. */
  createDatabase(): Promise<string>;
}

/** The URL with its password hidden, for messages. */
function shown(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Connected as a role that may create databases, or Unavailable with one line saying what to provide. */
async function connectAdmin(url: string): Promise<pg.Client> {
  const how = 'start PostgreSQL there, or set BENCH_PG_URL=postgres://user:password@host:5432/database (any existing database; the role must be allowed to CREATE DATABASE)';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // a server going away later must fail the query in hand, not end the process
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ may: boolean }>('SELECT rolcreatedb OR rolsuper AS may FROM pg_roles WHERE rolname = current_user');
    if (rows[0]?.may) return client;
    await client.end();
    throw new Unavailable(`the postgres benchmark needs a role that may CREATE DATABASE, and ${shown(url)} connects as one that may not: ${how}`);
  } catch (error) {
    if (error instanceof Unavailable) throw error;
    await client.end().catch(() => undefined);
    throw new Unavailable(`the postgres benchmark needs PostgreSQL, and ${shown(url)} cannot be reached (${(error as Error).message || String(error)}): ${how}`);
  }
}

/**
 * Runs fn with the server BENCH_PG_URL names. Every database fn creates is dropped afterwards,
 * WITH (FORCE) so a bot process that is still connected (killed, or hung) cannot keep it alive.
 */
export async function withPgServer<T>(fn: (server: PgServer) => Promise<T>): Promise<T> {
  const url = process.env.BENCH_PG_URL || DEFAULT_URL;
  const admin = await connectAdmin(url);
  const created: string[] = [];
  const dropAll = async () => {
    for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  // interrupted: drop them, then let the signal end the process as it would have
  const onSignal = (signal: NodeJS.Signals) => {
    void dropAll()
      .catch((error: unknown) => console.error(`dropping the benchmark's databases failed: ${String(error)}`))
      .finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn({
      async createDatabase() {
        const name = `zwbot_bench_${randomBytes(6).toString('hex')}`;
        // recorded first: a CREATE that fails half-way is dropped all the same (IF EXISTS)
        created.push(name);
        await admin.query(`CREATE DATABASE ${name}`);
        return withDatabase(url, name);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      await dropAll();
    } finally {
      await admin.end();
    }
  }
}
