import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { createLoopPressure } from '../../src/lib/loop-pressure';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

it('reports the loop busy when others keep it so, and not for the caller\'s own work or an idle loop', async () => {
  const pressure = createLoopPressure({ windowMs: 50, busyShare: 0.5 });

  // idle for a window
  await sleep(60);
  expect(pressure.othersBusy()).toBe(false);

  // the caller's own work, however much, counted in wall time as the inbox worker counts it: on a
  // machine whose cores other processes share, 5 ms of work can take 15, and the loop's clock
  // sees 15
  for (let end = performance.now() + 120; performance.now() < end; ) {
    const started = performance.now();
    busyFor(5);
    pressure.spent(performance.now() - started);
    await nextTurn();
  }
  expect(pressure.othersBusy()).toBe(false);

  // someone else's work, most of every window
  for (let end = performance.now() + 120; performance.now() < end; ) {
    busyFor(5);
    await nextTurn();
  }
  expect(pressure.othersBusy()).toBe(true);

  await sleep(120);
  expect(pressure.othersBusy()).toBe(false);
});
