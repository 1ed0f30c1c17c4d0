// Locks held until the transaction ends, on PostgreSQL: on rows a state change checks before it
// writes, and on a name for what no row can lock (a 文号 about to be registered, a job slot about
// to run, the calendar while it changes). SQLite needs none: its writes are one transaction at a time. PostgreSQL's advisory locks take two 32-bit keys: a space
// per kind of name (apart from the migrations' one-key lock) and the name's hash.
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';

export const LOCK_SPACES = { jobSlot: 0x7a770002, docNumber: 0x7a770003, unitNames: 0x7a770004, identity: 0x7a770005, proposalNumber: 0x7a770006, calendar: 0x7a770007 } as const;

function keyOf(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

/** Waits for the name's lock and holds it until the transaction in scope ends. */
export async function lockName(db: Db, space: number, name: string): Promise<void> {
  if (db.dialect === 'pg') await db.all(sql`SELECT pg_advisory_xact_lock(${space}::int4, ${keyOf(name)}::int4)`);
}

/** Takes the name's lock if nobody holds it, until the transaction in scope ends; false when another transaction has it. */
export async function tryLockName(db: Db, space: number, name: string): Promise<boolean> {
  if (db.dialect !== 'pg') return true;
  const [lock] = await db.all<{ held: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${space}::int4, ${keyOf(name)}::int4) AS held`);
  return lock?.held === true;
}

/**
 * Waits for the lock of the rows `where` names (a row found by its number, a chat by its platform
 * and id) and holds it until the transaction in scope ends: a state change that reads a row,
 * checks it and writes it must take this first. On PostgreSQL (READ COMMITTED) two transactions
 * could otherwise both read the old state and both write, the second overwriting the first; once
 * the lock is held, every later statement of the transaction sees the row as last committed.
 * SQLite needs none: its writes are one transaction at a time.
 */
export async function lockRows(db: Db, table: SQLiteTable, where: SQL | undefined): Promise<void> {
  if (db.dialect === 'pg') await db.all(sql`SELECT 1 FROM ${table} WHERE ${where} FOR UPDATE`);
}
