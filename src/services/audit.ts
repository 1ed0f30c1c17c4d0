import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { auditLog } from '../../db/schema';
import type { Clock } from '../lib/clock';
import type { Actor } from './actor';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  chat: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

export function createAuditService(db: Db, clock: Clock) {
  // prepared once: nearly every command writes an entry
  const insert = db
    .insert(auditLog)
    .values({
      at: sql.placeholder('at'),
      actor: sql.placeholder('actor'),
      personId: sql.placeholder('personId'),
      chat: sql.placeholder('chat'),
      action: sql.placeholder('action'),
      target: sql.placeholder('target'),
      // the column's own encoder would store a missing state as the text 'null', not as NULL
      before: sql`${sql.placeholder('before')}`,
      after: sql`${sql.placeholder('after')}`,
    })
    .prepare();
  return {
    /** Call inside the transaction that makes the change, so the entry and the change commit together. */
    record(actor: Actor, action: string, target: string | null, before: unknown, after: unknown): void {
      insert.run({
        at: clock.now(),
        actor: actor.name && !actor.identity.endsWith(actor.name) ? `${actor.name}(${actor.identity})` : actor.identity,
        personId: actor.personId,
        chat: actor.chat,
        action,
        target,
        before: json(before),
        after: json(after),
      });
    },

    forTarget(target: string): AuditEntry[] {
      return db.select().from(auditLog).where(eq(auditLog.target, target)).orderBy(desc(auditLog.id)).all();
    },

    latest(limit: number): AuditEntry[] {
      return db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all();
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
