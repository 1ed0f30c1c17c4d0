import { desc, eq } from 'drizzle-orm';
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

export function createAuditService(db: Db, clock: Clock) {
  return {
    /** Call inside the transaction that makes the change, so the entry and the change commit together. */
    record(actor: Actor, action: string, target: string | null, before: unknown, after: unknown): void {
      db.insert(auditLog)
        .values({
          at: clock.now(),
          actor: actor.name && !actor.identity.endsWith(actor.name) ? `${actor.name}(${actor.identity})` : actor.identity,
          personId: actor.personId,
          chat: actor.chat,
          action,
          target,
          before: before ?? null,
          after: after ?? null,
        })
        .run();
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
