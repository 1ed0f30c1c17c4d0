/** The one source of "now" (epoch ms). Jobs and tests inject their own to run at any instant. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that reads `at` now and runs on at the machine's pace: a session as of another day. */
export function clockFrom(at: number): Clock {
  const offset = at - Date.now();
  return offset === 0 ? systemClock : { now: () => Date.now() + offset };
}

/** A clock that stands still until moved; for tests, benchmarks and `--now`. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
