// Messages the bot owes someone. Rows are written in the same transaction as the change they
// report, and leave only when a platform accepted them or the retry budget ran out.
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray, lt, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { changedRows, type Db, type Dialect } from '../../db/client';
import { lockRows } from '../../db/locks';
import { outbox, outboxOwners, sentMessages } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { backoffDelay, type Delivered, type DeliveryTarget, type Outgoing } from '../lib/delivery';
import type { Card, Reply, Subject } from '../lib/reply';

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

// JSON is kept as text on both dialects, and each has its own functions to look into it.
/** A JSON text column without one top-level key (a forked expression: SQLite's json_remove, PostgreSQL's jsonb minus). */
export function jsonWithout(dialect: Dialect, column: AnyColumn, key: string): SQL {
  return dialect === 'pg' ? sql`((${column})::jsonb - ${key}::text)::text` : sql`json_remove(${column}, ${`$.${key}`})`;
}

/** Whether a JSON text column holds `true` under a top-level key. */
function jsonTrue(dialect: Dialect, column: AnyColumn, key: string): SQL {
  return dialect === 'pg' ? sql`((${column})::jsonb ->> ${key}::text) = 'true'` : sql`json_extract(${column}, ${`$.${key}`})`;
}

/** A JSON text column's text at a path (SQLite's json_extract, PostgreSQL's #>>). */
function jsonText(dialect: Dialect, column: AnyColumn, ...path: string[]): SQL {
  return dialect === 'pg' ? sql`((${column})::jsonb #>> ${`{${path.join(',')}}`}::text[])` : sql`json_extract(${column}, ${`$.${path.join('.')}`})`;
}

const ONCE_NOTE = JSON.stringify({ text: '（一次性内容，送达后不再保留）' });

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
    // the message itself: its updates go out in order, and the platform's limit per message holds
    case 'update':
      return `${platform}:message:${target.messageId}`;
    default:
      return `${platform}:chat:${target.chatId}`;
  }
}

export function createOutboxService(db: Db, clock: Clock, settings: OutboxSettings, onEnqueue: () => void = () => {}) {
  // this process, as the owner of the leases it takes
  const owner = randomUUID();
  // A `once` text (a sign-in link) is a key: once delivered or given up on, only a note of it stays.
  const FORGET_ONCE = { payload: sql`CASE WHEN ${jsonTrue(db.dialect, outbox.payload, 'once')} THEN ${ONCE_NOTE} ELSE ${outbox.payload} END` };
  // A reply's context (DingTalk's sessionWebhook, an address to post to) serves its first attempt only.
  const AFTER_FIRST_ATTEMPT = { target: jsonWithout(db.dialect, outbox.target, 'context') };
  // Other instances pass over the rows one is claiming instead of queueing behind its lock; on
  // SQLite the claiming transaction holds the database's write lock, which excludes them already.
  const SKIP_LOCKED = db.dialect === 'pg' ? sql`FOR UPDATE SKIP LOCKED` : sql``;

  /** Inside a transaction: this process is alive as of `now`. */
  async function heartbeat(now: number): Promise<void> {
    await db.q
      .insert(outboxOwners)
      .values({ owner, heartbeatAt: now })
      .onConflictDoUpdate({ target: outboxOwners.owner, set: { heartbeatAt: sql`excluded.heartbeat_at` } });
  }

  /** Queues a message, in the caller's transaction; a second row with the same dedupe key is ignored. Returns whether it was new. */
  async function enqueue(m: NewOutgoing): Promise<boolean> {
    const now = clock.now();
    const [added] = await db.q
      .insert(outbox)
      .values({ dedupeKey: m.dedupeKey, platform: m.platform, conversation: conversationOf(m.platform, m.target), target: m.target, payload: m.reply, status: 'pending', nextAttemptAt: now, createdAt: now })
      .onConflictDoNothing({ target: outbox.dedupeKey })
      .returning({ id: outbox.id });
    if (!added) return false;
    // the dispatcher reads through another connection: wake it once the row is there to see
    db.afterCommit(onEnqueue);
    return true;
  }

  return {
    enqueue,

    /** Shows that this process is alive, so that the leases it holds stand. */
    async beat(): Promise<void> {
      await db.tx(() => heartbeat(clock.now()));
    },

    /** This process stops sending: its leases are given up (it has let its sends settle) and it leaves the owners. */
    async retire(): Promise<void> {
      await db.tx(async () => {
        await db.q.update(outbox).set({ leaseUntil: null, leaseOwner: null }).where(and(eq(outbox.leaseOwner, owner), eq(outbox.status, 'pending')));
        await db.q.delete(outboxOwners).where(eq(outboxOwners.owner, owner));
      });
    },

    /** Takes up to `limit` due rows for the given platforms, leasing each to the caller. */
    async claim(platforms: string[], limit: number): Promise<Outgoing[]> {
      const now = clock.now();
      const staleBefore = now - OWNER_STALE_MS;
      return db.tx(async () => {
        // a process that claims is alive, whether or not it runs the heartbeat (the REPL, a job)
        await heartbeat(now);
        if (platforms.length === 0) return [];
        // The oldest due row of each conversation that has no older row still waiting: one message
        // in flight per chat keeps a chat's messages in order. A row is free when nobody holds it,
        // its lease has run out, or its holder has stopped beating.
        const due = await db.all<{ id: number }>(sql`
          SELECT o.id FROM outbox o
          WHERE o.status = 'pending' AND o.next_attempt_at <= ${now} AND o.platform IN ${platforms}
            AND (o.lease_until IS NULL OR o.lease_until <= ${now}
              OR NOT EXISTS (SELECT 1 FROM outbox_owners w WHERE w.owner = o.lease_owner AND w.heartbeat_at > ${staleBefore}))
            AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation = o.conversation AND p.status = 'pending' AND p.id < o.id)
          ORDER BY o.next_attempt_at, o.id LIMIT ${limit} ${SKIP_LOCKED}`);
        if (due.length === 0) return [];
        const ids = due.map((r) => r.id);
        const rows = await db.q
          .update(outbox)
          .set({ leaseUntil: now + settings.leaseMs, leaseOwner: owner, attempts: sql`${outbox.attempts} + 1` })
          .where(inArray(outbox.id, ids))
          .returning({ id: outbox.id, dedupeKey: outbox.dedupeKey, platform: outbox.platform, target: outbox.target, payload: outbox.payload, attempts: outbox.attempts });
        // in the order they fell due
        rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
        return rows.map((r) => ({ id: r.id, dedupeKey: r.dedupeKey, platform: r.platform, target: r.target as DeliveryTarget, reply: r.payload as Reply, attempt: r.attempts }));
      });
    },

    /** The row delivered; what the platform accepted is kept by its message ids, with the card's subject. */
    async markSent(m: Pick<Outgoing, 'id' | 'platform' | 'reply' | 'target'>, delivered: readonly Delivered[] = []): Promise<void> {
      const now = clock.now();
      const subject = 'card' in m.reply ? (m.reply.card.about ?? null) : null;
      const commands = 'card' in m.reply ? (m.reply.card.actions ?? []).map((a) => a.command) : null;
      await db.tx(async () => {
        const [row] = await db.q
          .update(outbox)
          .set({ status: 'sent', sentAt: now, leaseUntil: null, leaseOwner: null, lastError: null, ...FORGET_ONCE, ...AFTER_FIRST_ATTEMPT })
          .where(eq(outbox.id, m.id))
          .returning({ payload: outbox.payload });
        if (delivered.length === 0) return;
        // its item changed while it was on its way (reviseWaiting): what went out is brought up to date
        if (subject && row && JSON.stringify(row.payload) !== JSON.stringify(m.reply)) {
          for (const d of delivered.filter((d) => !d.fixed)) {
            await enqueue({ dedupeKey: `card-update:${m.platform}:${d.messageId}:as-revised`, platform: m.platform, target: { kind: 'update', messageId: d.messageId }, reply: row.payload as Reply });
          }
        }
        // a reminder to a unit's contacts is kept with its unit and items, to be followed up while unread
        const unitId = 'unitId' in m.target ? (m.target.unitId ?? null) : null;
        const subjects = 'subjects' in m.target ? (m.target.subjects ?? null) : null;
        // a copy that cannot be changed is kept for its reads, never as a card to bring up to date
        const rows = delivered.map((d) => ({ platform: m.platform, messageId: d.messageId, outboxId: m.id, userId: d.userId ?? null, chatId: d.chatId ?? null, subject: d.fixed ? null : subject, sentAt: now, commands: d.fixed ? null : commands, unitId, subjects }));
        // a send retried after a lost answer is the same message again (its uuid): kept once
        await db.q.insert(sentMessages).values(rows).onConflictDoNothing();
      });
    },

    /**
     * Inside the transaction of a change of an item: the cards about it queued before and still
     * waiting to be sent rewritten by `revise` (updates of sent messages aside, which the change
     * follows with its own). One already on its way is rewritten too, and markSent updates what went out.
     */
    async reviseWaiting(about: Subject, revise: (card: Card) => Promise<Card>): Promise<void> {
      const waiting = and(
        eq(outbox.status, 'pending'),
        sql`${jsonText(db.dialect, outbox.payload, 'card', 'about')} = ${about}`,
        sql`${jsonText(db.dialect, outbox.target, 'kind')} <> 'update'`,
      );
      // a row being marked sent is taken as sent once that commits (PostgreSQL re-reads it after the wait)
      await lockRows(db, outbox, waiting);
      const rows = await db.q.select({ id: outbox.id, payload: outbox.payload }).from(outbox).where(waiting).orderBy(outbox.id);
      for (const row of rows) {
        const card = await revise((row.payload as { card: Card }).card);
        await db.q.update(outbox).set({ payload: { card } }).where(eq(outbox.id, row.id));
      }
    },

    /** Schedules the next try, or gives up (status failed, error kept) when the budget is spent or the error is permanent. */
    async markFailed(id: number, attempt: number, error: string, options: { retryAfterMs?: number; permanent?: boolean } = {}): Promise<'retry' | 'failed'> {
      const giveUp = options.permanent || attempt >= settings.maxAttempts;
      const delay = options.retryAfterMs ?? backoffDelay(attempt, settings.backoffBaseMs, settings.backoffCapMs);
      await db.tx(async () => {
        await db.q
          .update(outbox)
          .set(
            giveUp
              ? { status: 'failed', leaseUntil: null, leaseOwner: null, lastError: error, ...FORGET_ONCE, ...AFTER_FIRST_ATTEMPT }
              : { nextAttemptAt: clock.now() + delay, leaseUntil: null, leaseOwner: null, lastError: error, ...AFTER_FIRST_ATTEMPT },
          )
          .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
      });
      return giveUp ? 'failed' : 'retry';
    },

    /** Deletes sent messages older than the retention (failed ones stay, for whoever looks into them). Returns how many. */
    async purge(olderThanMs: number): Promise<number> {
      return db.tx(async () => changedRows(await db.q.delete(outbox).where(and(eq(outbox.status, 'sent'), lt(outbox.sentAt, clock.now() - olderThanMs)))));
    },

    /** When the next row becomes due (for the dispatcher's sleep), or null when nothing waits. */
    async nextDueAt(platforms: string[]): Promise<number | null> {
      if (platforms.length === 0) return null;
      // a held row is due when its lease runs out or its holder would count as gone, whichever is
      // first, and not before its next attempt
      const [row] = await db.all<{ due: number | null }>(sql`
        SELECT min(CASE WHEN d.held > d.next_at THEN d.held ELSE d.next_at END) AS due
        FROM (
          SELECT o.next_attempt_at AS next_at,
            CASE WHEN o.lease_until IS NULL THEN 0
              WHEN o.lease_until < coalesce(w.heartbeat_at, 0) + ${OWNER_STALE_MS} THEN o.lease_until
              ELSE coalesce(w.heartbeat_at, 0) + ${OWNER_STALE_MS} END AS held
          FROM outbox o LEFT JOIN outbox_owners w ON w.owner = o.lease_owner
          WHERE o.status = 'pending' AND o.platform IN ${platforms}
            -- a row behind an older one of its conversation goes only after it (see claim)
            AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation = o.conversation AND p.status = 'pending' AND p.id < o.id)
        ) d`);
      return row?.due ?? null;
    },

    /** What is queued under a dedupe-key prefix, oldest first (a job's dry run shows it before rolling back). */
    async queuedUnder(prefix: string): Promise<{ platform: string; target: DeliveryTarget; reply: Reply }[]> {
      const rows = await db.q
        .select({ platform: outbox.platform, target: outbox.target, payload: outbox.payload })
        .from(outbox)
        .where(sql`${outbox.dedupeKey} LIKE ${`${prefix}%`}`)
        .orderBy(outbox.id);
      return rows.map((r) => ({ platform: r.platform, target: r.target as DeliveryTarget, reply: r.payload as Reply }));
    },

    /** What waits to be sent, and what was given up on, per platform (`npm run admin -- outbox`). */
    async waitingByPlatform(): Promise<{ platform: string; pending: number; failed: number; oldest: number | null }[]> {
      return db.all<{ platform: string; pending: number; failed: number; oldest: number | null }>(sql`
        SELECT platform, sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
          min(CASE WHEN status = 'pending' THEN created_at END) AS oldest
        FROM outbox WHERE status IN ('pending', 'failed') GROUP BY platform ORDER BY platform`);
    },

    /**
     * Deletes every message still waiting for a platform (those queued during a trial without it,
     * which would otherwise all go out once it is connected). Sent and failed rows stay. Returns how
     * many; the caller audits it in the same transaction.
     */
    async dropPending(platform: string): Promise<number> {
      return changedRows(await db.q.delete(outbox).where(and(eq(outbox.platform, platform), eq(outbox.status, 'pending'))));
    },

    async counts(): Promise<Record<'pending' | 'sent' | 'failed', number>> {
      const rows = await db.q.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status);
      const out = { pending: 0, sent: 0, failed: 0 };
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
