// Migrating as a step of its own (`npm run db:migrate`), saying which migrations it applied.
// Opening the database is what migrates it (client.ts), here as at every start; what was applied
// before is read from drizzle's own record, straight through each driver, since it comes before
// the Db exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isPostgresUrl, migrationsFolder, openDatabase } from './client';

interface Journal {
  entries: { tag: string; when: number }[];
}

/** When the newest migration already applied was made (drizzle applies those made later), or null for a database without any. */
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

/** Applies the pending migrations; returns their names and the newest migration there is. */
export async function migrateDatabase(location: string): Promise<{ applied: string[]; latest: string }> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder(location), 'meta', '_journal.json'), 'utf8')) as Journal;
  const before = await lastApplied(location);
  const db = await openDatabase(location);
  await db.close();
  return {
    applied: journal.entries.filter((e) => before === null || e.when > before).map((e) => e.tag),
    latest: journal.entries.at(-1)?.tag ?? '—',
  };
}
