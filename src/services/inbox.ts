// Every event the bot acknowledged, stored before the acknowledgement. A redelivery (same event
// id, or same message id under a new event id) is ignored; a row leaves `pending` only in the
// transaction that carries out the request.
//
// Several processes may share the inbox (instances of the bot, the REPL, a job). A row is
// carried out by the transaction that holds it, and only while it holds it: on SQLite that is the
// transaction holding the database's write lock, on PostgreSQL the one holding the row's lock
// (taken by due() and stillPending(), which pass over rows another transaction holds). No lease
// outlives its transaction, so nothing of a dead process's claims is left to wait out.
import { and, asc, eq, lt, ne, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { inbox } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { backoffDelay } from '../lib/delivery';
import { jsonWithout } from './outbox';

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

export function createInboxService(db: Db, clock: Clock, settings: InboxSettings) {
  // PostgreSQL only: SQLite's write lock already keeps other processes out of the transaction
  const HOLD = db.dialect === 'pg' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  // a handled row keeps its keys (they guard against redelivery), not the address to answer it
  // at: the reply, queued in the same commit, carries that as long as it is needed
  const withoutReplyContext = jsonWithout(db.dialect, inbox.payload, 'replyContext');

  return {
    /**
     * Stores each event once, in one statement (the events a webhook turn acknowledges are
     * stored together); for each, false when it was seen before under its event id or message id,
     * earlier or in this same call. In the caller's transaction, or as a statement of its own.
     */
    async accept(events: readonly { platform: string; eventId: string; messageId: string | null; payload: unknown }[]): Promise<boolean[]> {
      if (events.length === 0) return [];
      const now = clock.now();
      // no conflict target: either unique key (event id, or message id) makes it a redelivery
      const stored = await db.q
        .insert(inbox)
        .values(events.map((e) => ({ platform: e.platform, eventId: e.eventId, messageId: e.messageId, payload: e.payload, status: 'pending' as const, attempts: 0, nextAttemptAt: now, receivedAt: now })))
        .onConflictDoNothing()
        .returning({ platform: inbox.platform, eventId: inbox.eventId });
      const fresh = new Set(stored.map((r) => `${r.platform}\u0000${r.eventId}`));
      // an event id twice in one call was stored once: its first delivery is the fresh one
      return events.map((e) => fresh.delete(`${e.platform}\u0000${e.eventId}`));
    },

    /**
     * Inside the processing transaction: up to `limit` due rows, oldest first, held by it (rows
     * another transaction holds are passed over), and whether more were due than it took: a
     * worker that drains needs no further look to learn that nothing is left.
     */
    async due<P>(limit: number): Promise<{ rows: InboxRow<P>[]; more: boolean }> {
      const now = clock.now();
      // index order (status, next_attempt_at): a backlog of thousands is not sorted for every row.
      // PostgreSQL would lock a row read to tell there are more, so it asks whether another is due;
      // SQLite, whose transaction holds the whole database, reads one row past the limit.
      const rows = await db.all<{ id: number; platform: string; payload: string; attempts: number; more?: boolean }>(
        db.dialect === 'pg'
          ? sql`SELECT id, platform, payload, attempts,
                EXISTS (SELECT 1 FROM inbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ${now} AND o.id <> inbox.id) AS more
              FROM inbox WHERE status = 'pending' AND next_attempt_at <= ${now}
              ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`
          : sql`SELECT id, platform, payload, attempts FROM inbox WHERE status = 'pending' AND next_attempt_at <= ${now}
              ORDER BY next_attempt_at, id LIMIT ${limit + 1}`,
      );
      const taken = rows.slice(0, limit);
      return {
        rows: taken.map(({ id, platform, payload, attempts }) => ({ id, platform, attempts, payload: JSON.parse(payload) as P })),
        // (on PostgreSQL with several taken, another of them makes `more` true: one look too many, never one too few)
        more: db.dialect === 'pg' ? rows.length === limit && rows[0]!.more === true : rows.length > limit,
      };
    },

    async find<P>(platform: string, eventId: string): Promise<InboxRow<P> | undefined> {
      const [row] = await db.q
        .select({ id: inbox.id, platform: inbox.platform, payload: inbox.payload, attempts: inbox.attempts })
        .from(inbox)
        .where(and(eq(inbox.platform, platform), eq(inbox.eventId, eventId)))
        .limit(1);
      return row as InboxRow<P> | undefined;
    },

    /**
     * Inside the processing transaction: whether the row still waits, now held by this
     * transaction; false when another process has done it, or holds it right now.
     */
    async stillPending(id: number): Promise<boolean> {
      const rows = await db.all(sql`SELECT id FROM inbox WHERE id = ${id} AND status = 'pending' ${HOLD}`);
      return rows.length > 0;
    },

    async markDone(id: number): Promise<void> {
      await db.q.update(inbox).set({ status: 'done', processedAt: clock.now(), lastError: null, payload: withoutReplyContext }).where(eq(inbox.id, id));
    },

    /** After a crash of the handler, in the processing transaction: try again later, or give up once the budget is spent. */
    async markFailedAttempt(id: number, attempts: number, error: string): Promise<'retry' | 'failed'> {
      const giveUp = attempts >= settings.maxAttempts;
      await db.q
        .update(inbox)
        .set({
          attempts,
          lastError: error,
          ...(giveUp
            ? { status: 'failed' as const, processedAt: clock.now() }
            : { nextAttemptAt: clock.now() + backoffDelay(attempts, settings.backoffBaseMs, settings.backoffCapMs) }),
        })
        .where(eq(inbox.id, id));
      return giveUp ? 'failed' : 'retry';
    },

    /** Keeps the row (its keys still guard against redelivery) but none of its content. */
    async forgetContent(id: number): Promise<void> {
      await db.q.update(inbox).set({ payload: { forgotten: true } }).where(eq(inbox.id, id));
    },

    /** Drops handled rows older than the retention; Lark redelivers for about 7.1 hours at most. */
    async purge(olderThanMs: number): Promise<number> {
      return db.tx(async () => changedRows(await db.q.delete(inbox).where(and(ne(inbox.status, 'pending'), lt(inbox.receivedAt, clock.now() - olderThanMs)))));
    },

    async nextDueAt(): Promise<number | null> {
      const [row] = await db.q.select({ at: inbox.nextAttemptAt }).from(inbox).where(eq(inbox.status, 'pending')).orderBy(asc(inbox.nextAttemptAt)).limit(1);
      return row?.at ?? null;
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
