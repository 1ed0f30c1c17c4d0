// Two instances on one PostgreSQL database caught in the worst order: the first makes its change
// and holds its transaction open; the second starts the conflicting change; only once the second
// has finished, or waits on a lock, may the first commit. What the second then does is what two
// instances racing for real would do when they interleave worst.
import { expect, vi } from 'vitest';
import type { TestBot } from '../helpers';

/** Connections to the test's own database waiting for a lock (tests on other databases run beside it). */
async function waitingOnLocks(t: TestBot): Promise<number> {
  return Number(await t.scalar('SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()'));
}

/**
 * Runs `first` in a transaction on the test bot, then `second` (which opens its own, on another
 * instance) while the first is uncommitted; the first commits once the second is through or
 * waiting on a lock. Returns the first's result and the second's, or the error it threw.
 */
export async function race<A, B>(t: TestBot, first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B | Error]> {
  let commit!: () => void;
  const gate = new Promise<void>((resolve) => (commit = resolve));
  let changed!: () => void;
  const firstChanged = new Promise<void>((resolve) => (changed = resolve));
  const one = t.bot.db.tx(async () => {
    const result = await first();
    changed();
    await gate;
    return result;
  });
  try {
    await Promise.race([firstChanged, one]);
    let through = false;
    const two = second().then(
      (result) => result,
      (error: Error) => error,
    );
    void two.then(() => (through = true));
    // the second instance may need seconds to reach its lock when the machine is busy
    await vi.waitFor(async () => expect(through || (await waitingOnLocks(t)) >= 1).toBe(true), { timeout: 30_000, interval: 20 });
    commit();
    return [await one, await two];
  } finally {
    // a failing assertion must not leave the first transaction open for the cleanup to wait on
    commit();
  }
}
