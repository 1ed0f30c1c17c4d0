// The PostgreSQL tables, derived from db/schema.ts (the one source of truth) so the two cannot
// drift: drizzle-kit reads this file to write db/migrations-pg, and a test compares what each
// dialect's migrations build with db/schema.ts. Values are stored as SQLite stores them
// (integers as bigint, booleans as 0/1, JSON as text), so the services' one set of queries and
// raw SQL reads the same on both.
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { bigint, doublePrecision, foreignKey, index, integer, pgTable, primaryKey, text, uniqueIndex, type PgColumnBuilderBase, type PgTable } from 'drizzle-orm/pg-core';
import * as sqliteSchema from './schema';

function columnFor(column: SQLiteColumn): PgColumnBuilderBase {
  const c = column as SQLiteColumn & { autoIncrement?: boolean };
  let builder;
  switch (c.columnType) {
    case 'SQLiteInteger':
    case 'SQLiteTimestamp':
      builder = bigint(c.name, { mode: 'number' });
      if (c.primary) builder = builder.generatedByDefaultAsIdentity();
      break;
    case 'SQLiteBoolean':
      builder = integer(c.name);
      break;
    case 'SQLiteText':
    case 'SQLiteTextJson':
      builder = text(c.name);
      break;
    case 'SQLiteReal':
      builder = doublePrecision(c.name);
      break;
    default:
      throw new Error(`db/schema-pg.ts has no PostgreSQL type for ${c.columnType} (${c.name})`);
  }
  if (c.primary) builder = builder.primaryKey();
  if (c.notNull && !c.primary) builder = builder.notNull();
  if (c.hasDefault && c.default !== undefined) builder = builder.default(c.default as never);
  if (c.isUnique) builder = builder.unique(c.uniqueName);
  return builder as PgColumnBuilderBase;
}

function isTable(value: unknown): value is SQLiteTable {
  try {
    getTableConfig(value as SQLiteTable);
    return true;
  } catch {
    return false;
  }
}

function derive(): Record<string, PgTable> {
  const out: Record<string, PgTable> = {};
  const byName = new Map<string, PgTable>();
  const sources = (Object.entries(sqliteSchema) as [string, unknown][]).filter((entry): entry is [string, SQLiteTable] => isTable(entry[1]));
  for (const [exportName, source] of sources) {
    const config = getTableConfig(source);
    const columns = Object.fromEntries(config.columns.map((c) => [c.name, columnFor(c)]));
    const table = pgTable(config.name, columns, (t) => {
      const col = (c: { name: string }) => t[c.name]!;
      return [
        ...config.primaryKeys.map((pk) => primaryKey({ columns: pk.columns.map(col) as [never, ...never[]] })),
        ...config.indexes.map((i) => {
          const cols = i.config.columns.map((c) => col(c as SQLiteColumn)) as [never, ...never[]];
          const made = (i.config.unique ? uniqueIndex(i.config.name) : index(i.config.name)).on(...cols);
          return i.config.where ? made.where(i.config.where) : made;
        }),
        ...config.foreignKeys.map((fk) => {
          const ref = fk.reference();
          const target = byName.get(getTableConfig(ref.foreignTable).name);
          if (!target) throw new Error(`db/schema.ts: ${config.name} refers to a table declared after it`);
          const targetColumns = target as unknown as Record<string, never>;
          return foreignKey({ columns: ref.columns.map(col) as [never, ...never[]], foreignColumns: ref.foreignColumns.map((c) => targetColumns[c.name]!) as [never, ...never[]] });
        }),
      ];
    });
    byName.set(config.name, table);
    out[exportName] = table;
  }
  return out;
}

export const tables = derive();

// drizzle-kit finds tables among a module's exports; the drift test checks this list is whole.
export const { units, unitAliases, people, identities, unitContacts, chats, counters, documents, auditLog, inbox, outbox, signatureUses, outboxOwners, jobRuns, calendarNotices, calendarOverrides, supervisionItems, supervisionUnits, supervisionFeedback, supervisionExtensions, proposals, proposalUnits, proposalRounds, remindersSent, exportRequests, meta, consoleLinks, consoleSessions, floodCounts, sentMessages, orgSnapshots, urgentAlerts, messageReads, receivedFiles } = tables;
