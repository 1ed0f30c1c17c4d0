import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { peakRssMb } from '../../src/lib/peak-rss';

// a child forked from a large process starts as a copy of it: its peak must be its own
it('gives a forked child its own peak, not the size of the process it was forked from', async () => {
  const ballast = Buffer.alloc(300 * 1_048_576, 1);
  expect(peakRssMb()).toBeGreaterThan(300);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(new URL('../fixtures/peak-rss-child.ts', import.meta.url), [], { execArgv: ['--import', tsx] });
  const childPeak = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number));
    child.once('error', reject);
  });
  expect(ballast[0]).toBe(1);
  expect(childPeak).toBeGreaterThan(10);
  expect(childPeak).toBeLessThan(200);
});
