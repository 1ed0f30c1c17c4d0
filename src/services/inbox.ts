// Every event the bot acknowledged, stored before the acknowledgement. A redelivery (same event
// id, or same message id under a new event id) is ignored; a row leaves `pending` only in the
// transaction that carries out the request.
import { and, asc, eq, lte, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { inbox } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { backoffDelay } from '../lib/delivery';

export interface InboxSettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export interface InboxRow<P> {
  id: number;
  platform: string;
  payload: P;
  attempts: number;
}

const ROW = { id: inbox.id, platform: inbox.platform, payload: inbox.payload, attempts: inbox.attempts };

export function createInboxService(db: Db, clock: Clock, settings: InboxSettings) {
  const insert = db.$client.prepare(`
    INSERT INTO inbox (platform, event_id, message_id, payload, status, attempts, next_attempt_at, received_at)
    VALUES (@platform, @eventId, @messageId, @payload, 'pending', 0, @now, @now)
    ON CONFLICT DO NOTHING`);
  // prepared once: they run for every message, and building the query is most of their cost
  const dueRows = db
    .select(ROW)
    .from(inbox)
    .where(and(eq(inbox.status, 'pending'), lte(inbox.nextAttemptAt, sql.placeholder('now'))))
    // index order (status, next_attempt_at): a backlog of thousands is not sorted for every row
    .orderBy(asc(inbox.nextAttemptAt), asc(inbox.id))
    .limit(sql.placeholder('limit'))
    .prepare();
  const pendingRow = db.select({ id: inbox.id }).from(inbox).where(and(eq(inbox.id, sql.placeholder('id')), eq(inbox.status, 'pending'))).prepare();
  // a handled row keeps its keys (they guard against redelivery), not the address to answer it
  // at: the reply, queued in the same commit, carries that as long as it is needed
  const done = db
    .update(inbox)
    .set({ status: 'done', processedAt: sql<number>`${sql.placeholder('now')}`, lastError: null, payload: sql`json_remove(${inbox.payload}, '$.replyContext')` })
    .where(eq(inbox.id, sql.placeholder('id')))
    .prepare();

  return {
    /** Stores the event once; false when it was seen before under its event id or message id. */
    accept(platform: string, eventId: string, messageId: string | null, payload: unknown): boolean {
      const now = clock.now();
      return insert.run({ platform, eventId, messageId, payload: JSON.stringify(payload), now }).changes > 0;
    },

    due<P>(limit: number): InboxRow<P>[] {
      return dueRows.all({ now: clock.now(), limit }) as InboxRow<P>[];
    },

    find<P>(platform: string, eventId: string): InboxRow<P> | undefined {
      return db
        .select(ROW)
        .from(inbox)
        .where(and(eq(inbox.platform, platform), eq(inbox.eventId, eventId)))
        .get() as InboxRow<P> | undefined;
    },

    /** Inside the processing transaction: whether the row still waits (another process may have done it). */
    stillPending(id: number): boolean {
      return pendingRow.get({ id }) !== undefined;
    },

    markDone(id: number): void {
      done.run({ id, now: clock.now() });
    },

    /** After a crash of the handler: try again later, or give up once the budget is spent. */
    markFailedAttempt(id: number, attempts: number, error: string): 'retry' | 'failed' {
      const giveUp = attempts >= settings.maxAttempts;
      db.update(inbox)
        .set({
          attempts,
          lastError: error,
          ...(giveUp
            ? { status: 'failed' as const, processedAt: clock.now() }
            : { nextAttemptAt: clock.now() + backoffDelay(attempts, settings.backoffBaseMs, settings.backoffCapMs) }),
        })
        .where(eq(inbox.id, id))
        .run();
      return giveUp ? 'failed' : 'retry';
    },

    /** Keeps the row (its keys still guard against redelivery) but none of its content. */
    forgetContent(id: number): void {
      db.update(inbox).set({ payload: { forgotten: true } }).where(eq(inbox.id, id)).run();
    },

    /** Drops handled rows older than the retention; Lark redelivers for about 7.1 hours at most. */
    purge(olderThanMs: number): number {
      return db
        .delete(inbox)
        .where(and(ne(inbox.status, 'pending'), lt(inbox.receivedAt, clock.now() - olderThanMs)))
        .run().changes;
    },

    nextDueAt(): number | null {
      const row = db
        .select({ at: inbox.nextAttemptAt })
        .from(inbox)
        .where(eq(inbox.status, 'pending'))
        .orderBy(asc(inbox.nextAttemptAt))
        .limit(1)
        .get();
      return row?.at ?? null;
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
