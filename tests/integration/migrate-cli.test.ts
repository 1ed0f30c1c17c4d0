// `npm run db:migrate`: migrates without starting the bot, says what it applied, and a second run
// finds nothing to do; the password in a PostgreSQL URL is never printed.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../helpers';
import { runNode } from '../spawn';
import { testDatabase, testServerUrl } from '../test-db';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('applies the pending migrations once, then says the database is up to date', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const database = await testDatabase(dir);
  cleanups.push(() => database.drop());
  const env = { ...database.env, LOG_LEVEL: 'silent' };
  // under tsx's loader, as `npm run db:migrate` runs it: the one test of the suite that runs a
  // command-line tool the way its npm script does (the rest run the run's bundle, faster to start),
  // so that the tools still start from their TypeScript sources
  const migrate = () => runNode('src/jobs/migrate-cli.ts', [], env, '', [], 'tsx');
  expect((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['db:migrate']).toBe('tsx src/jobs/migrate-cli.ts');
  const first = await migrate();
  expect(first.code, first.stderr).toBe(0);
  if (testServerUrl() === null) {
    // a new SQLite file: every migration there is
    const count = readdirSync('db/migrations').filter((f) => f.endsWith('.sql')).length;
    expect(first.stdout).toContain(`applied ${count} migration(s) to ${database.location}: 0000_init`);
  } else {
    // PostgreSQL test databases are copies of a migrated template
    expect(first.stdout).toMatch(/is up to date \(latest migration \d{4}_\w+\); nothing to apply/);
  }
  const second = await migrate();
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('nothing to apply');
});

it.runIf(testServerUrl() !== null)('never prints the password of a PostgreSQL URL, even when it cannot connect', async () => {
  const refused = await runNode('src/jobs/migrate-cli.ts', [], { DATABASE_URL: 'postgres://bot:hunter2@127.0.0.1:1/zwbot', LOG_LEVEL: 'silent' });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('migrating postgres://bot@127.0.0.1:1/zwbot failed');
  expect(refused.stdout + refused.stderr).not.toContain('hunter2');
});
