// Whether others keep the event loop busy: the share of the last window the loop spent working,
// less the background work that asks (its own time is not pressure). Under a flood of webhook
// requests the inbox worker steps back, so acknowledgements come first and the commands wait,
// durably, in the inbox; when the flood passes the worker takes the whole loop again.
// Everything is wall time, as the loop's utilisation is: another process on the same cores slows
// the caller's work and the requests' alike, so it moves neither share. What matters is who holds
// the loop, not how fast the machine is; the caller must count its work in wall time too.
import { performance } from 'node:perf_hooks';

export function createLoopPressure(options: { windowMs: number; busyShare: number }) {
  let mark = performance.eventLoopUtilization();
  let markedAt = performance.now();
  let own = 0;
  let othersShare = 0;

  function roll(): void {
    const now = performance.now();
    if (now - markedAt < options.windowMs) return;
    const current = performance.eventLoopUtilization();
    const active = performance.eventLoopUtilization(current, mark).active;
    othersShare = Math.max(0, active - own) / (now - markedAt);
    mark = current;
    markedAt = now;
    own = 0;
  }

  return {
    /** Counts `ms` of the caller's own work, done on the event loop since the last call. */
    spent(ms: number): void {
      own += ms;
      roll();
    },
    /** True when, over the last full window, others kept the loop busy for at least `busyShare` of it. */
    othersBusy(): boolean {
      roll();
      return othersShare >= options.busyShare;
    },
  };
}
