// Carries out inbox rows one at a time, yielding to the event loop between rows so that
// webhook acknowledgements are never stuck behind a burst of commands.
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import type { Services } from '../services';
import type { Engine } from './engine';
import type { IncomingMessage } from './message';

export function createInboxWorker(options: { engine: Engine; services: Services; clock: Clock; log: Logger; idleMs?: number }) {
  const { engine, services, clock, log } = options;
  const loop = createLoop({
    name: 'inbox',
    log,
    clock,
    idleMs: options.idleMs ?? 1000,
    step: () => {
      const [row] = services.inbox.due<IncomingMessage>(1);
      if (row) engine.process(row);
      return row !== undefined;
    },
    nextDueAt: () => services.inbox.nextDueAt(),
  });

  /** Carries out every row due now; returns how many. */
  function drain(): number {
    let n = 0;
    for (let rows = services.inbox.due<IncomingMessage>(20); rows.length > 0; rows = services.inbox.due<IncomingMessage>(20)) {
      for (const row of rows) engine.process(row);
      n += rows.length;
    }
    return n;
  }

  return {
    drain,
    start: loop.start,
    /** Wakes the worker after accept(): a new row is waiting. */
    kick: loop.kick,
    /** Finishes the row in hand and stops. */
    stop: loop.stop,
  };
}

export type InboxWorker = ReturnType<typeof createInboxWorker>;
