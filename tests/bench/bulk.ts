// Bulk writing into a benchmark database: opening it for a bulk load and closing it for the
// bot, and the organisation every database needs before any item (units, and the people who act
// for them with their platform identities) as years of 单位新增 and 授权 would have left them.
import type { Database } from 'better-sqlite3';
import { openDatabase, type Db } from '../../db/client';
import type { Role } from '../../src/services/actor';

/** When the organisation was set up, as every builder dates it. */
export const CREATED = Date.UTC(2019, 11, 1);

/**
 * The SQLite write connection of a benchmark database, which the builders fill with raw prepared
 * statements in large transactions and the bare-SQL baselines are timed on. Only the postgres
 * section builds PostgreSQL databases (bulk-pg.ts, build-pg.ts); elsewhere this refuses a
 * PostgreSQL one rather than measure something else.
 */
export function sqliteOf(db: Db): Database {
  if (!db.sqlite) throw new Error('this benchmark builds and times SQLite databases only (the postgres section has its own PostgreSQL path: bulk-pg.ts)');
  return db.sqlite;
}

/** The bot's database, migrated, set up for writing fast. */
export async function openBulk(path: string): Promise<Db> {
  const db = await openDatabase(path);
  // A throw-away file: losing it to a power cut costs nothing, and a big cache keeps the
  // secondary indexes in memory while they grow. Both are this connection's only.
  const sqlite = sqliteOf(db);
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -262144');
  return db;
}

/** Leaves the file as the bot expects to find it: everything in the main file, the WAL empty. */
export async function closeBulk(db: Db): Promise<void> {
  sqliteOf(db).pragma('wal_checkpoint(TRUNCATE)');
  await db.close();
}

export interface PersonSeed {
  name: string;
  role: Role;
  /** a contact's unit (also written to unit_contacts) */
  unitId?: number;
  platform: string;
  userId: string;
}

export function insertUnits(sqlite: Database, names: readonly string[]): number[] {
  const insert = sqlite.prepare('INSERT INTO units (name, created_at) VALUES (?, ?)');
  return sqlite.transaction(() => names.map((name) => Number(insert.run(name, CREATED).lastInsertRowid)))();
}

/** Inserts people with one identity each; returns their ids in order. */
export function insertPeople(sqlite: Database, seeds: readonly PersonSeed[]): number[] {
  const person = sqlite.prepare('INSERT INTO people (name, role, unit_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const identity = sqlite.prepare('INSERT INTO identities (platform, user_id, person_id, last_seen_at) VALUES (?, ?, ?, ?)');
  const contact = sqlite.prepare('INSERT INTO unit_contacts (unit_id, person_id) VALUES (?, ?)');
  return sqlite.transaction(() =>
    seeds.map((s) => {
      const id = Number(person.run(s.name, s.role, s.role === 'contact' ? s.unitId : null, CREATED, CREATED).lastInsertRowid);
      identity.run(s.platform, s.userId, id, CREATED);
      if (s.role === 'contact') contact.run(s.unitId, id);
      return id;
    }),
  )();
}

/** `perUnit` contacts for each unit, reachable as platform:`contact-<unit id>-<n>`. */
export function contactSeeds(unitIds: readonly number[], perUnit: number, platform: string, name: () => string): PersonSeed[] {
  return unitIds.flatMap((unitId) => Array.from({ length: perUnit }, (_, n) => ({ name: name(), role: 'contact' as const, unitId, platform, userId: `contact-${unitId}-${n + 1}` })));
}
