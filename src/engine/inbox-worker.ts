// Carries out inbox rows in small batches, each batch one commit with every row in a savepoint
// of its own, yielding to the event loop between batches so that webhook acknowledgements are
// never stuck behind a burst of commands. A commit is much of what a cheap command costs; a
// batch shares it without holding the event loop longer than BATCH_BUDGET_MS. Under a flood of
// requests the worker steps back further (see loop-pressure): an acknowledgement has a deadline
// (Lark redelivers after 3 s), a stored command has none.
//
// On PostgreSQL a batch is one row: a batch's transaction holds the row locks of one message's
// work (its chat's flood count, its chat) while it does the next, and two instances' batches
// taking those locks in different orders deadlock (measured: a sixth of the messages of a busy
// chat, each failing an attempt after PostgreSQL's one-second deadlock timeout). There commits
// run beside each other, and one per message is what the server is made for.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import { createLoopPressure } from '../lib/loop-pressure';
import { runsUnderWay, untilIdle, type StepResult } from '../lib/until-idle';
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
  const rowsPerBatch = services.db.dialect === 'pg' ? 1 : BATCH_ROWS;

  // this process's batches under way, for drain(): another batch skips the rows they hold
  const batches = runsUnderWay();

  /** Carries out due rows until `budgetMs` is spent (at least one); how many, and whether more are due. */
  function batch(budgetMs: number): Promise<StepResult> {
    return batches.track(takeBatch(budgetMs));
  }

  function takeBatch(budgetMs: number): Promise<StepResult> {
    // The rows are taken inside the batch's transaction, which holds them until it commits (see
    // services/inbox.ts): another instance's batch takes other rows. engine.process runs each
    // row's handler in a savepoint: a failing row leaves its own failure mark and nothing else,
    // and the rows done before it commit with the batch.
    return services.db.tx(async () => {
      const { rows, more } = await services.inbox.due<IncomingMessage>(rowsPerBatch);
      const started = performance.now();
      let done = 0;
      for (const row of rows) {
        await engine.process(row, { held: true });
        done++;
        if (performance.now() - started >= budgetMs) break;
      }
      return { done, more: more || done < rows.length };
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
      const { done, more } = await batch(BATCH_BUDGET_MS);
      const spent = performance.now() - started;
      pressure.spent(spent);
      if (done > 0 && pressure.othersBusy()) await delay(spent * PAUSE_PER_WORK);
      return done > 0 && more;
    },
    nextDueAt: () => services.inbox.nextDueAt(),
  });

  return {
    /** Carries out every row due now, batch after batch until none is left and no batch of this process is under way; returns how many. */
    drain: (): Promise<number> => untilIdle(() => batch(Infinity), batches.now),
    start: loop.start,
    /** Wakes the worker after accept(): a new row is waiting. */
    kick: loop.kick,
    /** Finishes the batch in hand and stops. */
    stop: loop.stop,
  };
}

export type InboxWorker = ReturnType<typeof createInboxWorker>;
