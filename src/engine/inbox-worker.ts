// Carries out inbox rows one at a time, yielding to the event loop between rows so that
// webhook acknowledgements are never stuck behind a burst of commands.
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createSleeper } from '../lib/sleeper';
import type { Services } from '../services';
import type { Engine } from './engine';
import type { IncomingMessage } from './message';

export function createInboxWorker(options: { engine: Engine; services: Services; clock: Clock; log: Logger; idleMs?: number }) {
  const { engine, services, clock, log } = options;
  const idleMs = options.idleMs ?? 1000;
  let running = false;
  let loop: Promise<void> | null = null;
  const sleeper = createSleeper();

  /** Carries out every row due now; returns how many. */
  function drain(): number {
    let n = 0;
    for (let rows = services.inbox.due<IncomingMessage>(20); rows.length > 0; rows = services.inbox.due<IncomingMessage>(20)) {
      for (const row of rows) engine.process(row);
      n += rows.length;
    }
    return n;
  }

  async function run(): Promise<void> {
    while (running) {
      const [row] = services.inbox.due<IncomingMessage>(1);
      if (row) {
        engine.process(row);
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const next = services.inbox.nextDueAt();
      const wait = next === null ? idleMs : Math.max(1, Math.min(idleMs, next - clock.now()));
      await sleeper.sleep(wait);
    }
  }

  return {
    drain,
    start(): void {
      if (running) return;
      running = true;
      loop = run().catch((err) => log.fatal({ err }, 'inbox worker stopped'));
    },
    /** Wakes the worker after accept(): a new row is waiting. */
    kick(): void {
      sleeper.wake();
    },
    /** Finishes the row in hand and stops. */
    async stop(): Promise<void> {
      running = false;
      this.kick();
      await loop;
    },
  };
}

export type InboxWorker = ReturnType<typeof createInboxWorker>;
