// Delivers outbox rows through the platform senders: several conversations at once, one
// message at a time within a conversation, retrying with backoff until the budget is spent.
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import { runsUnderWay, untilIdle } from '../lib/until-idle';
import { SendError, type Outgoing, type Sender } from '../lib/delivery';
import type { OutboxService } from '../services/outbox';

export interface DispatcherOptions {
  outbox: OutboxService;
  senders: Record<string, Sender>;
  clock: Clock;
  log: Logger;
  /** messages in flight at once */
  concurrency?: number;
  idleMs?: number;
}

export function createDispatcher(options: DispatcherOptions) {
  const { outbox, senders, clock, log } = options;
  const platforms = Object.keys(senders);
  const concurrency = options.concurrency ?? 8;
  const inFlight = new Set<Promise<void>>();
  // room taken by claims still under way, so that two runs at once (the loop and a flush) stay within `concurrency`
  let claiming = 0;

  async function deliver(m: Outgoing): Promise<void> {
    try {
      const delivered = await senders[m.platform]!.send(m);
      await outbox.markSent(m, delivered ?? []);
      log.debug({ outbox: m.id, attempt: m.attempt }, 'message delivered');
    } catch (error) {
      const e = error instanceof SendError ? error : null;
      const options = { ...(e?.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}), permanent: e?.permanent ?? false };
      const verdict = await outbox.markFailed(m.id, m.attempt, (error as Error)?.message ?? String(error), options);
      log.warn({ outbox: m.id, platform: m.platform, attempt: m.attempt, verdict, err: (error as Error)?.message }, 'message not delivered');
    }
  }

  // whole runs (claim and sends) under way, for flush(): rows they have claimed are leased to them
  const runs = runsUnderWay();

  /** Claims what is due now and sends it; resolves when those sends have settled. Returns how many. */
  function runOnce(): Promise<number> {
    return runs.track(claimAndSend());
  }

  async function claimAndSend(): Promise<number> {
    if (platforms.length === 0) return 0;
    const room = Math.max(0, concurrency - inFlight.size - claiming);
    claiming += room;
    let batch: Outgoing[];
    try {
      batch = await outbox.claim(platforms, room);
    } finally {
      claiming -= room;
    }
    await Promise.all(
      batch.map((m) => {
        const p = deliver(m).finally(() => inFlight.delete(p));
        inFlight.add(p);
        return p;
      }),
    );
    return batch.length;
  }

  const loop = createLoop({
    name: 'outbox',
    log,
    clock,
    idleMs: options.idleMs ?? 1000,
    step: async () => (await runOnce()) > 0,
    nextDueAt: async () => (platforms.length ? outbox.nextDueAt(platforms) : null),
  });

  return {
    runOnce,
    /** Delivers until nothing is due now and the loop's own sends have settled (for the REPL, one-shot jobs and tests). */
    async flush(): Promise<void> {
      await untilIdle(async () => {
        const done = await runOnce();
        return { done, more: done > 0 };
      }, runs.now);
    },
    start: loop.start,
    kick: loop.kick,
    /** Lets the sends in flight finish, then stops. */
    async stop(): Promise<void> {
      await loop.stop();
      await Promise.all(inFlight);
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
