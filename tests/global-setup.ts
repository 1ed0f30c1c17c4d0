// Marks every process of this `npm test` run (tests/spawn.ts passes the mark on to children, and
// the bot's own children inherit it) and, when the run is over, fails it if any such process is
// still running: a leaked server keeps its port and its database, and hides a test that never
// killed what it meant to kill. The leftovers are killed, then named.
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../db/client';
import { RUN_MARK } from './spawn';
import { createTemplate, TEMPLATE_ENV } from './test-db';

let dropTemplate: (() => Promise<void>) | null = null;

export async function setup(): Promise<void> {
  process.env[RUN_MARK] = randomUUID();
  // every PostgreSQL test database is a copy of one migrated template: copying is a fraction of migrating
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const template = await createTemplate(server, async (url) => (await openDatabase(url)).close());
    process.env[TEMPLATE_ENV] = template.name;
    dropTemplate = template.drop;
  }
}

function marked(mark: string): { pid: number; command: string }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return []; // no /proc (not Linux): nothing to look through
  }
  const found: { pid: number; command: string }[] = [];
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`${RUN_MARK}=${mark}`)) continue;
      found.push({ pid, command: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export async function teardown(): Promise<void> {
  await dropTemplate?.();
  const mark = process.env[RUN_MARK];
  if (!mark) return;
  // the test workers themselves carry the mark; vitest has ended them by now, but give a
  // worker's own exit a moment of grace by looking only at processes that are not its pool
  const left = marked(mark).filter((p) => !/vitest[/\\]dist[/\\]workers|node_modules[/\\]vitest[/\\]/.test(p.command));
  if (left.length === 0) return;
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // a throw here is printed but does not fail the run: the exit code must say it
  process.exitCode = 1;
  process.stderr.write(`\nFAIL: the tests left ${left.length} process(es) running (now killed):\n${left.map((p) => `  ${p.pid} ${p.command}`).join('\n')}\n`);
}
