// Bulk writing into a PostgreSQL benchmark database, bulk.ts's counterpart: rows go in as columns,
// one INSERT … SELECT FROM unnest($1::bigint[], $2::text[], …) for tens of thousands of rows, which
// is as fast as plain SQL loads (one statement to parse and plan, one round trip, no per-row
// protocol overhead) and needs nothing beyond the driver the bot already uses (COPY would want a
// streaming add-on).
import type pg from 'pg';
import { openDatabase, type Db } from '../../db/client';
import { CREATED, type PersonSeed } from './bulk';

/** A column's name and its PostgreSQL type, as unnest's array parameter is cast. */
export type Column = readonly [name: string, type: 'bigint' | 'integer' | 'text'];

/** The bot's database, migrated, and one connection of its pool set up for writing fast. */
export async function openPgBulk(url: string): Promise<{ db: Db; client: pg.PoolClient; close(): Promise<void> }> {
  const db = await openDatabase(url);
  const client = await db.pool!.connect();
  // A throw-away database: a commit need not wait for its WAL to reach the disk (a crash would
  // lose the last moments of the load, never corrupt it); and an index built after the load
  // sorts in memory rather than in temporary files. This session's only.
  await client.query('SET synchronous_commit = off');
  await client.query("SET maintenance_work_mem = '512MB'");
  return {
    db,
    client,
    async close() {
      // closed rather than returned to the pool: it carries the bulk settings
      client.release(true);
      await db.close();
    },
  };
}

/**
 * Inserts rows given as one array per column (`values[i]` holds column i of every row), with
 * `fixed` columns set to the same SQL expression for each, in one statement.
 */
export function insertColumns(client: pg.ClientBase, table: string, columns: readonly Column[], values: readonly unknown[][], fixed: Record<string, string> = {}): Promise<pg.QueryResult> {
  const names = columns.map(([name]) => name);
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`);
  const fixedNames = Object.keys(fixed);
  return client.query(
    `INSERT INTO ${table} (${[...names, ...fixedNames].join(', ')})
     SELECT ${[...names, ...Object.values(fixed)].join(', ')} FROM unnest(${arrays.join(', ')}) AS t(${names.join(', ')})`,
    values as unknown[],
  );
}

/** `count` ids from a table's identity sequence, as the rows inserting themselves would have taken. */
async function takeIds(client: pg.ClientBase, table: string, count: number): Promise<number[]> {
  const { rows } = await client.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS id FROM generate_series(1, $1)`, [count]);
  return rows.map((r) => r.id);
}

/** The units, in order; returns their ids. */
export async function insertUnitsPg(client: pg.ClientBase, names: readonly string[]): Promise<number[]> {
  const ids = await takeIds(client, 'units', names.length);
  await insertColumns(client, 'units', [['id', 'bigint'], ['name', 'text']], [ids, [...names]], { created_at: String(CREATED) });
  return ids;
}

/** People with one identity each (contacts in unit_contacts too), as bulk.ts's insertPeople; returns their ids in order. */
export async function insertPeoplePg(client: pg.ClientBase, seeds: readonly PersonSeed[]): Promise<number[]> {
  const ids = await takeIds(client, 'people', seeds.length);
  const unitOf = seeds.map((s) => (s.role === 'contact' ? s.unitId! : null));
  await insertColumns(client, 'people', [['id', 'bigint'], ['name', 'text'], ['role', 'text'], ['unit_id', 'bigint']], [ids, seeds.map((s) => s.name), seeds.map((s) => s.role), unitOf], {
    created_at: String(CREATED),
    updated_at: String(CREATED),
  });
  await insertColumns(client, 'identities', [['platform', 'text'], ['user_id', 'text'], ['person_id', 'bigint']], [seeds.map((s) => s.platform), seeds.map((s) => s.userId), ids], {
    last_seen_at: String(CREATED),
  });
  const contacts = seeds.flatMap((s, i) => (s.role === 'contact' ? [i] : []));
  if (contacts.length) await insertColumns(client, 'unit_contacts', [['unit_id', 'bigint'], ['person_id', 'bigint']], [contacts.map((i) => unitOf[i]), contacts.map((i) => ids[i])]);
  return ids;
}
