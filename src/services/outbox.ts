// Messages the bot owes someone. Rows are written in the same transaction as the change they
// report, and leave only when a platform accepted them or the retry budget ran out.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { outbox } from '../../db/schema';
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
  // The oldest due row of each conversation that has no older row still waiting: one message
  // in flight per chat keeps a chat's messages in order.
  const dueRows = sqlite.prepare(`
    SELECT o.id FROM outbox o
    WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now)
      AND o.platform IN (SELECT value FROM json_each(@platforms))
      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation = o.conversation AND p.status = 'pending' AND p.id < o.id)
    ORDER BY o.next_attempt_at, o.id LIMIT @limit`);
  const claimRow = sqlite.prepare(`
    UPDATE outbox SET lease_until = @until, attempts = attempts + 1
    WHERE id = @id AND status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
    RETURNING id, dedupe_key, platform, target, payload, attempts`);

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

    /** Takes up to `limit` due rows for the given platforms, leasing each to the caller. */
    claim(platforms: string[], limit: number): Outgoing[] {
      const now = clock.now();
      const ids = dueRows.all({ now, platforms: JSON.stringify(platforms), limit }) as { id: number }[];
      const claimed: Outgoing[] = [];
      for (const { id } of ids) {
        const row = claimRow.get({ id, now, until: now + settings.leaseMs }) as
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
      db.update(outbox).set({ status: 'sent', sentAt: clock.now(), leaseUntil: null, lastError: null }).where(eq(outbox.id, id)).run();
    },

    /** Schedules the next try, or gives up (status failed, error kept) when the budget is spent or the error is permanent. */
    markFailed(id: number, attempt: number, error: string, options: { retryAfterMs?: number; permanent?: boolean } = {}): 'retry' | 'failed' {
      const giveUp = options.permanent || attempt >= settings.maxAttempts;
      const delay = options.retryAfterMs ?? backoffDelay(attempt, settings.backoffBaseMs, settings.backoffCapMs);
      db.update(outbox)
        .set(
          giveUp
            ? { status: 'failed', leaseUntil: null, lastError: error }
            : { nextAttemptAt: clock.now() + delay, leaseUntil: null, lastError: error },
        )
        .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')))
        .run();
      return giveUp ? 'failed' : 'retry';
    },

    /** When the next row becomes due (for the dispatcher's sleep), or null when nothing waits. */
    nextDueAt(platforms: string[]): number | null {
      const row = sqlite
        .prepare(
          `SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) AS due FROM outbox
           WHERE status = 'pending' AND platform IN (SELECT value FROM json_each(?))`,
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

    counts(): Record<'pending' | 'sent' | 'failed', number> {
      const rows = db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all();
      const out = { pending: 0, sent: 0, failed: 0 };
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
