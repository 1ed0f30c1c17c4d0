import pg from 'pg';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// The PostgreSQL tests run against TEST_DATABASE_URL (.ci/run sets it), else the server the
// project's machines run locally. Without a server they are skipped with one line, except under
// CI, where they are required.
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default defineConfig(async () => {
  const server = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER;
  const withPostgres = await reachable(server);
  if (withPostgres) process.env.TEST_DATABASE_URL = server;
  else if (process.env.CI === 'true') throw new Error(`CI=true requires PostgreSQL for the tests, and ${server} cannot be reached (set TEST_DATABASE_URL)`);
  else process.stderr.write(`PostgreSQL tests skipped: no server at ${server} (start one, or set TEST_DATABASE_URL=postgres://… and run npm test again)\n`);

  const shared = {
    pool: 'forks' as const,
    // vitest's default on two cores is one worker; much of the suite waits on child processes,
    // servers and timers rather than computing, so two files at once fit the project's machines
    maxWorkers: 2,
    // a guard against a hang, not a measure: with other processes on both cores, a test that
    // starts several child processes (1–2 s each when idle) takes four times as long
    testTimeout: 120_000,
    hookTimeout: 120_000,
  };
  const projects: TestProjectInlineConfiguration[] = [
    { extends: true, test: { name: 'sqlite', include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/reliability/**/*.test.ts'] } },
  ];
  // the same service, engine and surface tests, on PostgreSQL; pure units need no second run
  if (withPostgres) projects.push({ extends: true, test: { name: 'pg', include: ['tests/integration/**/*.test.ts', 'tests/reliability/**/*.test.ts', 'tests/postgres/**/*.test.ts'], env: { TEST_DIALECT: 'pg' } } });
  return {
    test: {
      ...shared,
      globalSetup: ['tests/global-setup.ts'],
      projects,
    },
  };
});
