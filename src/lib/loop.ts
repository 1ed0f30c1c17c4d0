// The background loop shared by the inbox worker and the outbox dispatcher: do work while there
// is some, otherwise sleep until the next row falls due or someone kicks it awake. A failing
// step (the database busy past its timeout, say) is logged and retried; it never ends the loop.
import type { Logger } from 'pino';
import type { Clock } from './clock';

/** How soon a loop looks again at work that is due but was held elsewhere when it looked. */
export const HELD_ELSEWHERE_MS = 100;

export interface LoopOptions {
  name: string;
  log: Logger;
  clock: Clock;
  idleMs: number;
  /** does some work; true when there may be more right away */
  step: () => Promise<boolean> | boolean;
  /** when the next piece of work falls due, or null when none waits */
  nextDueAt: () => Promise<number | null> | number | null;
}

export function createLoop({ name, log, clock, idleMs, step, nextDueAt }: LoopOptions) {
  let running = false;
  let done: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  // a kick that came while a step or its look-ahead was running: the work it announced may have
  // been committed after the step looked, so the loop looks again instead of sleeping
  let kicked = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => (wake = null));

  async function run(): Promise<void> {
    while (running) {
      let wait: number;
      kicked = false;
      try {
        if (await step()) {
          // let acknowledgements and other I/O through between pieces of work
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const next = await nextDueAt();
        // Work already due that the step did not take is held elsewhere (another instance's
        // transaction or lease, this process's other run): its holder finishes it or lets it go,
        // and looking again at once would only ask the database every millisecond meanwhile.
        const inMs = next === null ? idleMs : next - clock.now();
        wait = inMs <= 0 ? Math.min(idleMs, HELD_ELSEWHERE_MS) : Math.min(idleMs, inMs);
      } catch (err) {
        log.error({ err, loop: name }, 'background step failed; retrying');
        wait = idleMs;
      }
      if (!kicked) await sleep(wait);
    }
  }

  function kick(): void {
    kicked = true;
    if (timer) clearTimeout(timer);
    wake?.();
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      done = run();
    },
    kick,
    /** Stops after the step in hand. */
    async stop(): Promise<void> {
      running = false;
      kick();
      await done;
    },
  };
}
