// Where a test's database lives. SQLite: a file in the test's folder. PostgreSQL (the `pg`
// project of vitest.config.ts, TEST_DATABASE_URL set): a database of its own, copied from a
// template the global setup migrated once, dropped when the test is done.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export const TEMPLATE_ENV = 'ZWBOT_TEST_PG_TEMPLATE';

/** The server the PostgreSQL tests use, or null when this run is SQLite's. */
export function testServerUrl(): string | null {
  return process.env.TEST_DIALECT === 'pg' ? (process.env.TEST_DATABASE_URL ?? null) : null;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** what the bot opens: a file path or a postgres:// URL */
  location: string;
  /** the environment that makes a bot (in-process or a child) open it */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test, of the dialect this run tests. */
export async function testDatabase(dir: string): Promise<TestDatabase> {
  const server = testServerUrl();
  const path = join(dir, 'bot.db');
  if (!server) return { location: path, env: { DATABASE_PATH: path }, drop: async () => undefined };
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('the PostgreSQL template is made by tests/global-setup.ts');
  const name = `zwbot_t_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const location = withDatabase(server, name);
  return {
    location,
    env: { DATABASE_PATH: path, DATABASE_URL: location },
    drop: () => admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Creates the migrated template every PostgreSQL test database is copied from; returns its name and a way to drop it. */
export async function createTemplate(server: string, migrate: (url: string) => Promise<void>): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `zwbot_tpl_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  await migrate(withDatabase(server, name));
  return { name, drop: () => admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

/** `?` placeholders as the dialect writes them. */
export function placeholders(sql: string, dialect: 'sqlite' | 'pg'): string {
  if (dialect === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
