// Carries out inbox rows in small batches, each batch one commit with every row in a savepoint
// of its own, yielding to the event loop between batches so that webhook acknowledgements are
// never stuck behind a burst of commands. A commit is much of what a cheap command costs; a
// batch shares it without holding the event loop longer than BATCH_BUDGET_MS. Under a flood of
// requests the worker steps back further (see loop-pressure): an acknowledgement has a deadline
// (Lark redelivers after 3 s), a stored command has none.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { transaction } from '../../db/client';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import { createLoopPressure } from '../lib/loop-pressure';
import type { Services } from '../services';
import type { Engine } from './engine';
import type { IncomingMessage } from './message';

const BATCH_ROWS = 16;
const BATCH_BUDGET_MS = 3;
// while requests keep the loop at least half busy, each batch is followed by a pause three times as
// long: commands get a quarter of the loop at most, acknowledgements the rest
const PRESSURE = { windowMs: 100, busyShare: 0.5 };
const PAUSE_PER_WORK = 3;

export function createInboxWorker(options: { engine: Engine; services: Services; clock: Clock; log: Logger; idleMs?: number }) {
  const { engine, services, clock, log } = options;

  /** Carries out due rows until `budgetMs` is spent (at least one); returns how many. */
  function batch(budgetMs: number): number {
    const rows = services.inbox.due<IncomingMessage>(BATCH_ROWS);
    if (rows.length === 0) return 0;
    const started = performance.now();
    // engine.process takes a savepoint per row: a failing row leaves its own failure mark and
    // nothing else, and the rows done before it commit with the batch
    return transaction(services.db, () => {
      let n = 0;
      for (const row of rows) {
        engine.process(row);
        n++;
        if (performance.now() - started >= budgetMs) break;
      }
      return n;
    });
  }

  const pressure = createLoopPressure(PRESSURE);
  const loop = createLoop({
    name: 'inbox',
    log,
    clock,
    idleMs: options.idleMs ?? 1000,
    step: async () => {
      const started = performance.now();
      const done = batch(BATCH_BUDGET_MS);
      const spent = performance.now() - started;
      pressure.spent(spent);
      if (done > 0 && pressure.othersBusy()) await delay(spent * PAUSE_PER_WORK);
      return done > 0;
    },
    nextDueAt: () => services.inbox.nextDueAt(),
  });

  return {
    /** Carries out every row due now; returns how many. */
    drain(): number {
      let n = 0;
      for (let done = batch(Infinity); done > 0; done = batch(Infinity)) n += done;
      return n;
    },
    start: loop.start,
    /** Wakes the worker after accept(): a new row is waiting. */
    kick: loop.kick,
    /** Finishes the batch in hand and stops. */
    stop: loop.stop,
  };
}

export type InboxWorker = ReturnType<typeof createInboxWorker>;
