// Marks every process of this `npm test` run (tests/spawn.ts passes the mark on to children, and
// the bot's own children inherit it) and, when the run is over, fails it if any such process is
// still running: a leaked server keeps its port and its database, and hides a test that never
// killed what it meant to kill. The leftovers are killed, then named.
// It also bundles, once, the scripts the tests start as processes (tests/spawn.ts runs them from
// the bundle), as `npm run build` bundles the bot.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../db/client';
import { bundle } from '../scripts/bundle';
import { BUNDLE_ENV, bundledScripts, RUN_MARK } from './spawn';
import { createTemplate, TEMPLATE_ENV } from './test-db';

// vitest runs the global setup once for each project of the run and once more for the root one
// (three times for the two projects), each time a module of its own, all in this one process:
// the first does the work, the others share it through globalThis, and the last teardown undoes it.
// Three would mean three marks (workers carry only the last), three bundles and three templates.
interface Run {
  setups: number;
  ready: Promise<void>;
  bundleRoot?: string;
  dropTemplate?: () => Promise<void>;
}
const RUN = Symbol.for('zwbot.test-run');
const shared = globalThis as { [RUN]?: Run };

/**
 * The scripts the tests start, with the bot's own child processes beside them (bundle() adds them,
 * and the migrations and assets), in a folder of this run's own: a second `npm test` at the same
 * time has its own, and dist/ stays `npm run build`'s (the `npm start` tests build it there).
 * Named in the environment, which the workers inherit.
 */
async function bundleScripts(run: Run): Promise<void> {
  run.bundleRoot = mkdtempSync(join(tmpdir(), 'zwbot-test-'));
  // packages stay outside the bundle, and node looks for them in node_modules folders above the
  // importing file: there is none above the temporary folder, so it gets the repository's
  symlinkSync(fileURLToPath(new URL('../node_modules', import.meta.url)), join(run.bundleRoot, 'node_modules'), 'dir');
  // a folder inside ours: bundle() builds beside its outdir and renames it in
  const outdir = join(run.bundleRoot, 'bundle');
  await bundle(bundledScripts(), outdir);
  process.env[BUNDLE_ENV] = outdir;
}

async function prepare(run: Run): Promise<void> {
  try {
    await bundleScripts(run);
    // marked only now: esbuild's service, started by the bundling, stays for as long as this
    // process and would be taken for a process the tests left running
    process.env[RUN_MARK] = randomUUID();
    // every PostgreSQL test database is a copy of one migrated template: copying is a fraction of migrating
    const server = process.env.TEST_DATABASE_URL;
    if (server) {
      const template = await createTemplate(server, async (url) => (await openDatabase(url)).close());
      process.env[TEMPLATE_ENV] = template.name;
      run.dropTemplate = template.drop;
    }
  } catch (err) {
    // nothing left behind should the run end here without a teardown
    await undo(run);
    throw err;
  }
}

async function undo(run: Run): Promise<void> {
  const { bundleRoot, dropTemplate } = run;
  run.bundleRoot = run.dropTemplate = undefined;
  try {
    await dropTemplate?.();
  } finally {
    // rm removes the node_modules link, never what it points to
    if (bundleRoot) rmSync(bundleRoot, { recursive: true, force: true });
  }
}

export async function setup(): Promise<void> {
  let run = shared[RUN];
  if (!run) {
    const fresh: Run = { setups: 0, ready: Promise.resolve() };
    fresh.ready = prepare(fresh);
    shared[RUN] = run = fresh;
  }
  run.setups++;
  await run.ready;
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
  const run = shared[RUN];
  if (!run || --run.setups > 0) return;
  shared[RUN] = undefined;
  try {
    killLeftovers();
  } finally {
    // after the leftovers are killed: one could still be running from the bundle, or connected to a copy of the template
    await undo(run);
  }
}

function killLeftovers(): void {
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
