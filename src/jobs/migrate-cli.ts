// `npm run db:migrate`: applies the pending migrations to the configured database (DATABASE_URL's
// PostgreSQL, else the SQLite file at DATABASE_PATH) without starting the bot, as a deployment
// step before the new version's instances start, and says which it applied. Opening the database
// is what migrates it (db/client.ts), here as at every start.
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isPostgresUrl, openDatabase } from '../../db/client';
import { configOrExit } from '../config';
import { databaseLocation } from '../logger';

interface Journal {
  entries: { tag: string; when: number }[];
}

/**
 * When the newest migration already applied was made (drizzle records each by that time, and
 * applies those made later), or null for a database without any. Read before openDatabase
 * migrates: the only look at the database not through the Db, so straight through each driver.
 */
async function lastApplied(location: string): Promise<number | null> {
  if (isPostgresUrl(location)) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    try {
      const { rows: tables } = await client.query("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS found");
      if (!tables[0]?.found) return null;
      const { rows } = await client.query<{ last: string | null }>('SELECT max(created_at)::text AS last FROM drizzle.__drizzle_migrations');
      return rows[0]?.last == null ? null : Number(rows[0].last);
    } finally {
      await client.end();
    }
  }
  if (!existsSync(location)) return null;
  const sqlite = new Database(location, { readonly: true, fileMustExist: true });
  try {
    const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    return table ? ((sqlite.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() as number | null) ?? null) : null;
  } finally {
    sqlite.close();
  }
}

const config = configOrExit();
const where = databaseLocation(config.database);
const folder = isPostgresUrl(config.database) ? 'migrations-pg' : 'migrations';
const journal = JSON.parse(readFileSync(new URL(`../../db/${folder}/meta/_journal.json`, import.meta.url), 'utf8')) as Journal;

try {
  const before = await lastApplied(config.database);
  const db = await openDatabase(config.database);
  await db.close();
  const applied = journal.entries.filter((e) => before === null || e.when > before).map((e) => e.tag);
  const latest = journal.entries.at(-1)?.tag ?? '—';
  process.stdout.write(
    applied.length
      ? `applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}\n`
      : `${where} is up to date (latest migration ${latest}); nothing to apply\n`,
  );
} catch (error) {
  process.stderr.write(`migrating ${where} failed: ${(error as Error).message}\n`);
  process.exit(1);
}
