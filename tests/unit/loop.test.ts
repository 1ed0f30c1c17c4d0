import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/lib/clock';
import { createLoop, HELD_ELSEWHERE_MS } from '../../src/lib/loop';
import { createLogger } from '../../src/logger';

afterEach(() => {
  vi.useRealTimers();
});

describe('the background loop', () => {
  it('looks again every HELD_ELSEWHERE_MS, not every millisecond, at work due that it could not take', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T09:00:00+08:00') });
    const clock = new ManualClock(Date.parse('2026-11-30T09:00:00+08:00'));
    let steps = 0;
    // a row fell due a while ago, and another instance holds it: every step finds nothing to take
    const loop = createLoop({ name: 'test', log: createLogger('silent'), clock, idleMs: 1000, step: () => (steps++, false), nextDueAt: () => clock.now() - 5000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(10 * HELD_ELSEWHERE_MS);
    expect(steps).toBeGreaterThanOrEqual(10);
    expect(steps).toBeLessThanOrEqual(11);
    // a kick (new work of this process) still wakes it at once
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(steps).toBeGreaterThanOrEqual(11);
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it('sleeps until work falls due, or idleMs when none waits', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T09:00:00+08:00') });
    const clock = new ManualClock(Date.parse('2026-11-30T09:00:00+08:00'));
    const at: number[] = [];
    let due: number | null = clock.now() + 300;
    const loop = createLoop({ name: 'test', log: createLogger('silent'), clock, idleMs: 1000, step: () => (at.push(Date.now()), false), nextDueAt: () => due });
    const started = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    due = null;
    await vi.advanceTimersByTimeAsync(1300);
    expect(at.map((t) => t - started)).toEqual([0, 300, 1300]);
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });
});
