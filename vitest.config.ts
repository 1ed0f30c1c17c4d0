import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/reliability/**/*.test.ts'],
    pool: 'forks',
    // vitest's default on two cores is one worker; much of the suite waits on child processes,
    // servers and timers rather than computing, so two files at once fit the project's machines
    maxWorkers: 2,
    globalSetup: ['tests/global-setup.ts'],
    // a guard against a hang, not a measure: with other processes on both cores, a test that
    // starts several child processes (1–2 s each when idle) takes four times as long
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
