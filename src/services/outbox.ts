// Messages the bot owes someone. Rows are written in the same transaction as the change they
// report, and leave only when a platform accepted them or the retry budget ran out.
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { outbox, outboxOwners } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { backoffDelay, type DeliveryTarget, type Outgoing } from '../lib/delivery';
import type { Reply } from '../lib/reply';

export interface OutboxSettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** how long a claimed row is left to one dispatcher before another may take it */
  leaseMs: number;
}

/** How often a process that sends shows it is alive (src/bot.ts beats on this pace). */
export const OWNER_HEARTBEAT_MS = 2000;
/**
 * A lease whose owner has not beaten for this long is free for others: a killed bot's claims
 * are taken over seconds after a restart, not when their lease would have run out. A live
 * process misses this many beats only with its event loop held for seconds, which nothing in the
 * bot does (ledgers are made in a child process).
 */
export const OWNER_STALE_MS = 3.5 * OWNER_HEARTBEAT_MS;

// A `once` text (a sign-in link) is a key: once delivered or given up on, only a note of it stays.
const FORGET_ONCE = {
  payload: sql`CASE WHEN json_extract(${outbox.payload}, '$.once') THEN json_object('text', '（一次性内容，送达后不再保留）') ELSE ${outbox.payload} END`,
};
// A reply's context (DingTalk's sessionWebhook, an address to post to) serves its first attempt only.
const AFTER_FIRST_ATTEMPT = { target: sql`json_remove(${outbox.target}, '$.context')` };

export interface NewOutgoing {
  dedupeKey: string;
  platform: string;
  target: DeliveryTarget;
  reply: Reply;
}

export function conversationOf(platform: string, target: DeliveryTarget): string {
  switch (target.kind) {
    case 'user':
      return `${platform}:user:${target.userId}`;
    case 'users':
      return `${platform}:users:${createHash('sha256').update(target.userIds.join(',')).digest('hex').slice(0, 16)}`;
    default:
      return `${platform}:chat:${target.chatId}`;
  }
}

export function createOutboxService(db: Db, clock: Clock, settings: OutboxSettings, onEnqueue: () => void = () => {}) {
  const sqlite = db.$client;
  // this process, as the owner of the leases it takes
  const owner = randomUUID();
  // a row is free when nobody holds it, its lease has run out, or its holder has stopped beating
  const FREE = `(o.lease_until IS NULL OR o.lease_until <= @now
    OR NOT EXISTS (SELECT 1 FROM outbox_owners w WHERE w.owner = o.lease_owner AND w.heartbeat_at > @now - ${OWNER_STALE_MS}))`;
  // The oldest due row of each conversation that has no older row still waiting: one message
  // in flight per chat keeps a chat's messages in order.
  const dueRows = sqlite.prepare(`
    SELECT o.id FROM outbox o
    WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND ${FREE}
      AND o.platform IN (SELECT value FROM json_each(@platforms))
      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation = o.conversation AND p.status = 'pending' AND p.id < o.id)
    ORDER BY o.next_attempt_at, o.id LIMIT @limit`);
  const claimRow = sqlite.prepare(`
    UPDATE outbox AS o SET lease_until = @until, lease_owner = @owner, attempts = attempts + 1
    WHERE o.id = @id AND o.status = 'pending' AND ${FREE}
    RETURNING id, dedupe_key, platform, target, payload, attempts`);
  const beat = db
    .insert(outboxOwners)
    .values({ owner, heartbeatAt: sql.placeholder('now') })
    .onConflictDoUpdate({ target: outboxOwners.owner, set: { heartbeatAt: sql`excluded.heartbeat_at` } })
    .prepare();

  // prepared once: every reply passes here
  const insert = db
    .insert(outbox)
    .values({
      dedupeKey: sql.placeholder('dedupeKey'),
      platform: sql.placeholder('platform'),
      conversation: sql.placeholder('conversation'),
      target: sql.placeholder('target'),
      payload: sql.placeholder('payload'),
      status: 'pending',
      nextAttemptAt: sql.placeholder('now'),
      createdAt: sql.placeholder('now'),
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .prepare();

  return {
    /** Queues a message; a second row with the same dedupe key is ignored. Returns whether it was new. */
    enqueue(m: NewOutgoing): boolean {
      const now = clock.now();
      const result = insert.run({ dedupeKey: m.dedupeKey, platform: m.platform, conversation: conversationOf(m.platform, m.target), target: m.target, payload: m.reply, now });
      if (result.changes > 0) onEnqueue();
      return result.changes > 0;
    },

    /** Shows that this process is alive, so that the leases it holds stand. */
    beat(): void {
      beat.run({ now: clock.now() });
    },

    /** This process stops sending: its leases are given up (it has let its sends settle) and it leaves the owners. */
    retire(): void {
      db.update(outbox).set({ leaseUntil: null, leaseOwner: null }).where(and(eq(outbox.leaseOwner, owner), eq(outbox.status, 'pending'))).run();
      db.delete(outboxOwners).where(eq(outboxOwners.owner, owner)).run();
    },

    /** Takes up to `limit` due rows for the given platforms, leasing each to the caller. */
    claim(platforms: string[], limit: number): Outgoing[] {
      const now = clock.now();
      // a process that claims is alive, whether or not it runs the heartbeat (the REPL, a job)
      beat.run({ now });
      const ids = dueRows.all({ now, platforms: JSON.stringify(platforms), limit }) as { id: number }[];
      const claimed: Outgoing[] = [];
      for (const { id } of ids) {
        const row = claimRow.get({ id, now, owner, until: now + settings.leaseMs }) as
          | { id: number; dedupe_key: string; platform: string; target: string; payload: string; attempts: number }
          | undefined;
        if (row) {
          claimed.push({
            id: row.id,
            dedupeKey: row.dedupe_key,
            platform: row.platform,
            target: JSON.parse(row.target),
            reply: JSON.parse(row.payload),
            attempt: row.attempts,
          });
        }
      }
      return claimed;
    },

    markSent(id: number): void {
      db.update(outbox).set({ status: 'sent', sentAt: clock.now(), leaseUntil: null, leaseOwner: null, lastError: null, ...FORGET_ONCE, ...AFTER_FIRST_ATTEMPT }).where(eq(outbox.id, id)).run();
    },

    /** Schedules the next try, or gives up (status failed, error kept) when the budget is spent or the error is permanent. */
    markFailed(id: number, attempt: number, error: string, options: { retryAfterMs?: number; permanent?: boolean } = {}): 'retry' | 'failed' {
      const giveUp = options.permanent || attempt >= settings.maxAttempts;
      const delay = options.retryAfterMs ?? backoffDelay(attempt, settings.backoffBaseMs, settings.backoffCapMs);
      db.update(outbox)
        .set(
          giveUp
            ? { status: 'failed', leaseUntil: null, leaseOwner: null, lastError: error, ...FORGET_ONCE, ...AFTER_FIRST_ATTEMPT }
            : { nextAttemptAt: clock.now() + delay, leaseUntil: null, leaseOwner: null, lastError: error, ...AFTER_FIRST_ATTEMPT },
        )
        .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')))
        .run();
      return giveUp ? 'failed' : 'retry';
    },

    /** Deletes sent messages older than the retention (failed ones stay, for whoever looks into them). Returns how many. */
    purge(olderThanMs: number): number {
      return db
        .delete(outbox)
        .where(and(eq(outbox.status, 'sent'), lt(outbox.sentAt, clock.now() - olderThanMs)))
        .run().changes;
    },

    /** When the next row becomes due (for the dispatcher's sleep), or null when nothing waits. */
    nextDueAt(platforms: string[]): number | null {
      const row = sqlite
        .prepare(
          // a held row is due when its lease runs out or its holder would count as gone, whichever is first
          `SELECT min(max(o.next_attempt_at, coalesce(min(o.lease_until,
             coalesce((SELECT w.heartbeat_at FROM outbox_owners w WHERE w.owner = o.lease_owner), 0) + ${OWNER_STALE_MS}), 0))) AS due
           FROM outbox o WHERE o.status = 'pending' AND o.platform IN (SELECT value FROM json_each(?))`,
        )
        .get(JSON.stringify(platforms)) as { due: number | null };
      return row.due;
    },

    /** What is queued under a dedupe-key prefix, oldest first (a job's dry run shows it before rolling back). */
    queuedUnder(prefix: string): { platform: string; target: DeliveryTarget; reply: Reply }[] {
      return db
        .select({ platform: outbox.platform, target: outbox.target, payload: outbox.payload })
        .from(outbox)
        .where(sql`${outbox.dedupeKey} LIKE ${`${prefix}%`}`)
        .orderBy(outbox.id)
        .all()
        .map((r) => ({ platform: r.platform, target: r.target as DeliveryTarget, reply: r.payload as Reply }));
    },

    /** What waits to be sent, and what was given up on, per platform (`npm run admin -- outbox`). */
    waitingByPlatform(): { platform: string; pending: number; failed: number; oldest: number | null }[] {
      return sqlite
        .prepare(
          `SELECT platform, sum(status = 'pending') AS pending, sum(status = 'failed') AS failed,
             min(CASE WHEN status = 'pending' THEN created_at END) AS oldest
           FROM outbox WHERE status IN ('pending', 'failed') GROUP BY platform ORDER BY platform`,
        )
        .all() as { platform: string; pending: number; failed: number; oldest: number | null }[];
    },

    /**
     * Deletes every message still waiting for a platform (those queued during a trial without it,
     * which would otherwise all go out once it is connected). Sent and failed rows stay. Returns how
     * many; the caller audits it in the same transaction.
     */
    dropPending(platform: string): number {
      return db.delete(outbox).where(and(eq(outbox.platform, platform), eq(outbox.status, 'pending'))).run().changes;
    },

    counts(): Record<'pending' | 'sent' | 'failed', number> {
      const rows = db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all();
      const out = { pending: 0, sent: 0, failed: 0 };
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
