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

  // the caller's own work, however much
  for (let end = performance.now() + 120; performance.now() < end; ) {
    busyFor(5);
    pressure.spent(5);
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
