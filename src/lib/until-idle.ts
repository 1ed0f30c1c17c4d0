// "Do everything due now" for a worker whose background loop may hold some of that work: rows
// the loop has claimed are invisible to another claim (locked on PostgreSQL, leased everywhere),
// so finding nothing proves nothing until the loop's runs under way have settled too.

/** Runs of one worker under way in this process. */
export function runsUnderWay() {
  const runs = new Set<Promise<unknown>>();
  return {
    /** Registers a run; resolves and rejects with it. */
    track<T>(run: Promise<T>): Promise<T> {
      const tracked = run.finally(() => runs.delete(tracked));
      runs.add(tracked);
      return tracked;
    },
    now: (): Promise<unknown>[] => [...runs],
  };
}

/** What one step did, and whether it saw more due than it took (false lets the caller stop without asking again). */
export interface StepResult {
  done: number;
  more: boolean;
}

/**
 * Repeats `step` (which tracks itself) until it finds no more and no other run is under way: one
 * that started before this step ended may hold what the step could not see. Returns how much it did.
 */
export async function untilIdle(step: () => Promise<StepResult>, underWay: () => Promise<unknown>[]): Promise<number> {
  let total = 0;
  for (;;) {
    const { done, more } = await step();
    total += done;
    if (done > 0 && more) continue;
    const others = underWay();
    if (others.length === 0) return total;
    await Promise.allSettled(others);
  }
}
