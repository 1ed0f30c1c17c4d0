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
    async record(actor: Actor, action: string, target: string | null, before: unknown, after: unknown): Promise<void> {
      await db.q.insert(auditLog).values({
        at: clock.now(),
        actor: actor.name && !actor.identity.endsWith(actor.name) ? `${actor.name}(${actor.identity})` : actor.identity,
        personId: actor.personId,
        chat: actor.chat,
        action,
        target,
        // a missing state is stored as NULL (the column encodes everything else as JSON)
        before: before ?? null,
        after: after ?? null,
      });
    },

    async forTarget(target: string): Promise<AuditEntry[]> {
      return db.q.select().from(auditLog).where(eq(auditLog.target, target)).orderBy(desc(auditLog.id));
    },

    async latest(limit: number): Promise<AuditEntry[]> {
      return db.q.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
