// db/schema.ts is the one source of truth; each dialect's migrations must build exactly it. A
// column added to the schema but migrated on one dialect only, an index forgotten, a table
// missing from db/schema-pg.ts's exports: each fails here (this file runs in the pg project).
import Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/client';
import * as sqliteSchema from '../../db/schema';
import * as pgSchema from '../../db/schema-pg';
import { tempDir } from '../helpers';
import { testDatabase, type TestDatabase } from '../test-db';

interface Shape {
  primaryKey: string[];
  columns: string[];
  indexes: string[];
}

const tables = Object.entries(sqliteSchema).filter(([, v]) => {
  try {
    getTableConfig(v as SQLiteTable);
    return true;
  } catch {
    return false;
  }
}) as [string, SQLiteTable][];

// what db/schema.ts declares: each column with its nullability, each named index with its uniqueness
const declared = new Map<string, Shape>(
  tables.map(([, t]) => {
    const c = getTableConfig(t);
    const pkColumns = new Set(c.primaryKeys.flatMap((pk) => pk.columns.map((col) => col.name)));
    return [
      c.name,
      {
        primaryKey: [...c.columns.filter((col) => col.primary).map((col) => col.name), ...pkColumns].sort(),
        columns: c.columns.map((col) => `${col.name} ${col.notNull || col.primary || pkColumns.has(col.name) ? 'not null' : 'null'}`).sort(),
        indexes: [...c.indexes.map((i) => `${i.config.name}${i.config.unique ? ' unique' : ''}`), ...c.columns.filter((col) => col.isUnique).map((col) => `${col.uniqueName} unique`)].sort(),
      },
    ];
  }),
);

let dir: ReturnType<typeof tempDir>;
let pgDatabase: TestDatabase;
let pg: Db;

beforeAll(async () => {
  dir = tempDir();
  pgDatabase = await testDatabase(dir.dir);
  pg = await openDatabase(pgDatabase.location);
});
afterAll(async () => {
  await pg?.close();
  await pgDatabase?.drop();
  dir?.cleanup();
});

async function pgShape(table: string): Promise<Shape> {
  const columns = await pg.pool!.query<{ column_name: string; is_nullable: string }>(
    'SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  const indexes = await pg.pool!.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
    [table],
  );
  const primaryKey = await pg.pool!.query<{ column_name: string }>(
    `SELECT k.column_name FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
     WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'`,
    [table],
  );
  return {
    primaryKey: primaryKey.rows.map((r) => r.column_name).sort(),
    columns: columns.rows.map((r) => `${r.column_name} ${r.is_nullable === 'NO' ? 'not null' : 'null'}`).sort(),
    indexes: indexes.rows.map((r) => `${r.indexname}${r.indexdef.startsWith('CREATE UNIQUE') ? ' unique' : ''}`).sort(),
  };
}

function sqliteShape(file: Database.Database, table: string): Shape {
  const columns = file.prepare(`SELECT name, "notnull", pk FROM pragma_table_info(?)`).all(table) as { name: string; notnull: number; pk: number }[];
  const indexes = file.prepare(`SELECT name, "unique" FROM pragma_index_list(?) WHERE origin = 'c'`).all(table) as { name: string; unique: number }[];
  return {
    primaryKey: columns.filter((r) => r.pk > 0).map((r) => r.name).sort(),
    columns: columns.map((r) => `${r.name} ${r.notnull || r.pk ? 'not null' : 'null'}`).sort(),
    indexes: indexes.map((r) => `${r.name}${r.unique ? ' unique' : ''}`).sort(),
  };
}

describe('the schema and both dialects’ migrations agree', () => {
  it('db/schema-pg.ts exports every table of db/schema.ts under the same name', () => {
    const pgExports = Object.keys(pgSchema).filter((k) => k !== 'tables');
    expect(pgExports.sort()).toEqual(tables.map(([name]) => name).sort());
  });

  it('PostgreSQL’s migrations build every table, column, nullability and index the schema declares, and no other table but the search’s', async () => {
    for (const [table, shape] of declared) expect({ table, ...(await pgShape(table)) }).toEqual({ table, ...shape });
    const present = await pg.pool!.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
    expect(present.rows.map((r) => r.table_name).sort()).toEqual([...declared.keys(), 'document_grams'].sort());
  });

  it('SQLite’s migrations build the same', async () => {
    const sqlite = await openDatabase(`${dir.dir}/drift.db`);
    await sqlite.close();
    const file = new Database(`${dir.dir}/drift.db`, { readonly: true });
    try {
      for (const [table, shape] of declared) expect({ table, ...sqliteShape(file, table) }).toEqual({ table, ...shape });
      const present = file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name NOT LIKE 'documents_fts%'").pluck().all();
      expect(present.sort()).toEqual([...declared.keys()].sort());
    } finally {
      file.close();
    }
  });
});
