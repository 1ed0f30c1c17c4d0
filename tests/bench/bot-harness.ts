// A real bot on a benchmark database, in the measuring process, driven through the inbox →
// engine → outbox path the messengers use and timed one message at a time. Every section that
// times commands uses it, so they all time the same thing.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { isPostgresUrl } from '../../db/client';
import { createBot, MAINTENANCE_INTERVAL_MS, type Bot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { ManualClock } from '../../src/lib/clock';
import type { Outgoing } from '../../src/lib/delivery';
import { createLogger } from '../../src/logger';
import { consoleMessage } from '../../src/platforms/console/receiver';
import { renderPlain } from '../../src/platforms/console/render';
import type { Identity } from '../../src/services/people';
import { sqliteOf } from './bulk';
import { BENCH_TODAY } from './corpus';
import { percentiles } from './report';

type Percentiles = ReturnType<typeof percentiles>;

export const ADMIN: Identity = { platform: 'console', userId: 'admin' };
// how often undelivered replies are handed to the (no-op) sender, as the dispatcher would
export const FLUSH_EVERY = 100;
// A person's pace, at most: under the per-person flood limit of 30 messages a minute, so a
// guard in the engine never silently turns timed requests into cheap refusals.
const PACE_MS = 3_000;

/** Checks every reply the no-op sender is handed against what the current batch should answer. */
class ReplyCheck {
  private pattern = /^/;
  private matched = 0;
  private stray: string | null = null;
  /** the latest expected reply, for a section to hold its baseline's answer against */
  last: string | null = null;

  expect(pattern: RegExp): void {
    this.pattern = pattern;
    this.matched = 0;
    this.stray = null;
    this.last = null;
  }

  readonly sender = {
    send: async (m: Outgoing) => {
      const text = renderPlain(m.reply);
      if (this.pattern.test(text)) {
        this.matched++;
        this.last = text;
      } else this.stray ??= text;
    },
  };

  /** Throws unless each of `count` messages got one reply of the expected kind. */
  verify(count: number, what: string): void {
    if (this.matched !== count || this.stray !== null) {
      throw new Error(`${what}: ${this.matched} of ${count} replies as expected; first other reply:\n${this.stray}`);
    }
  }
}

export interface Harness {
  bot: Bot;
  clock: ManualClock;
  replies: ReplyCheck;
  housekeeping: Housekeeping;
}

interface Housekeeping {
  /** performance.now() at which the bot's timer next fires */
  due: number;
  /** how long each step so far held the event loop, in ms */
  held: number[];
  failed: unknown;
}

/**
 * The bot on `location` (an SQLite file, or a postgres:// URL as DATABASE_URL gives it) at 09:00
 * on the bench's day, console:admin its admin, nothing started. On PostgreSQL DATABASE_PATH only
 * places the exports folder, and nothing here exports.
 */
export async function startBot(location: string): Promise<Harness> {
  const clock = new ManualClock(Date.parse(`${BENCH_TODAY}T09:00:00+08:00`));
  const replies = new ReplyCheck();
  const database = isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_PATH: location };
  const config = loadConfig({ ...database, LOG_LEVEL: 'silent', ADMIN_IDS: `${ADMIN.platform}:${ADMIN.userId}` });
  const bot = await createBot({ config, log: createLogger('silent'), clock, senders: { console: replies.sender } });
  bot.maintenance.takeOverCheckpoints();
  return { bot, clock, replies, housekeeping: { due: performance.now() + MAINTENANCE_INTERVAL_MS, held: [], failed: null } };
}

/**
 * The running bot's housekeeping at its own pace: its timer (src/bot.ts) starts a step every
 * MAINTENANCE_INTERVAL_MS of real time without waiting for the last. Messages here follow one
 * another at once, so a step that fell due holds up the next message, which would have arrived
 * while it ran: its time on the event loop (the index merge) is that message's, and its WAL
 * checkpoint goes on in its thread while the messages after it are timed.
 */
function housekeepingDue(h: Harness): number {
  const k = h.housekeeping;
  if (k.failed) throw k.failed;
  const started = performance.now();
  if (started < k.due) return 0;
  k.due = started + MAINTENANCE_INTERVAL_MS;
  h.bot.maintenance.step().catch((error: unknown) => (k.failed ??= error));
  const held = performance.now() - started;
  k.held.push(held);
  return held;
}

/**
 * One message, timed from arrival until its effects and replies are committed, with any
 * housekeeping step that fell due just before it (see housekeepingDue).
 */
export async function sendTimed(h: Harness, text: string, as: Identity = ADMIN): Promise<number> {
  h.clock.advance(PACE_MS);
  const msg = consoleMessage(text, as, h.clock.now());
  const waited = housekeepingDue(h);
  const started = performance.now();
  await h.bot.receive(msg);
  const handled = await h.bot.worker.drain();
  const ms = performance.now() - started;
  if (handled !== 1) throw new Error(`expected one handled message, got ${handled}`);
  return waited + ms;
}

/**
 * Times each text, sent as `as`, and checks each reply. Replies are delivered every so often,
 * as the dispatcher would, and the loop yields so an RSS sampler runs; neither is timed.
 */
export async function timeAll(h: Harness, texts: readonly string[], reply: RegExp, what: string, as: Identity = ADMIN): Promise<number[]> {
  h.replies.expect(reply);
  const samples: number[] = [];
  for (const text of texts) {
    samples.push(await sendTimed(h, text, as));
    if (samples.length % FLUSH_EVERY === 0) await h.bot.dispatcher.flush();
    await yieldToLoop();
  }
  await h.bot.dispatcher.flush();
  h.replies.verify(texts.length, what);
  return samples;
}

export interface ScopedTimings {
  admin: Percentiles;
  contact: Percentiles;
  /** the reply each got last, and the contact's unit, for a section to check its baseline's answer */
  replies: { admin: string; contact: string };
  unitId: number;
  /** the bare SQL's timings and row count, for everyone and for the contact's unit */
  bareAll: { percentiles: Percentiles; total: number };
  bareUnit: { percentiles: Percentiles; total: number };
}

/**
 * One command timed as an admin and as a unit contact (whose answers are narrowed to their unit),
 * each beside the bare SQL that answers the same question.
 */
export async function timeAsAdminAndContact(
  h: Harness,
  text: string,
  reply: RegExp,
  contact: Identity,
  counts: { warmup: number; samples: number },
  bareSql: (sqlite: Database, unitId: number | null) => { samples: number[]; total: number },
): Promise<ScopedTimings> {
  const measure = async (as: Identity, who: string) => {
    await timeAll(h, Array(counts.warmup).fill(text), reply, `${text} warm-up (${who})`, as);
    const timings = percentiles(await timeAll(h, Array(counts.samples).fill(text), reply, `${text} (${who})`, as));
    return { timings, reply: h.replies.last! };
  };
  const admin = await measure(ADMIN, 'admin');
  const scoped = await measure(contact, 'contact');
  const sqlite = sqliteOf(h.bot.db);
  const [person] = await h.bot.db.all<{ unit_id: number }>(
    sql`SELECT p.unit_id FROM people p JOIN identities i ON i.person_id = p.id WHERE i.platform = ${contact.platform} AND i.user_id = ${contact.userId}`,
  );
  const unitId = person!.unit_id;
  const bare = (id: number | null) => {
    const r = bareSql(sqlite, id);
    return { percentiles: percentiles(r.samples), total: r.total };
  };
  return { admin: admin.timings, contact: scoped.timings, replies: { admin: admin.reply, contact: scoped.reply }, unitId, bareAll: bare(null), bareUnit: bare(unitId) };
}
