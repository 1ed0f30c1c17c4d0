// The suite's child processes. A script the global setup bundled (tests/global-setup.ts) runs
// from that bundle under plain node, as `npm start` runs the bot: tsx's loader costs each start
// one to two seconds on an idle machine and several on a busy one, and the suite starts hundreds.
// Any other TypeScript entry, or one asked for so, runs as node itself with tsx as its loader —
// not tsx's command, which forks the real process beneath a wrapper: a signal meant for the bot
// would reach only the wrapper. Every child carries the run's mark in its environment (the
// test's own variables replace the rest), so that the global teardown finds any left running.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The environment variable that marks the processes of one `npm test` run (tests/global-setup.ts). */
export const RUN_MARK = 'ZWBOT_TEST_RUN';
/** The environment variable naming the folder the global setup bundled the scripts below into. */
export const BUNDLE_ENV = 'ZWBOT_TEST_BUNDLE';

const root = fileURLToPath(new URL('..', import.meta.url));

let scripts: Record<string, string> | undefined;
/**
 * What the tests start, by the name of its bundled entry: every command-line tool (src/jobs/*-cli.ts,
 * read from the folder so that a new one is bundled too) and the fixtures run as processes. The
 * bundle is flat — its entries must sit beside the chunks, migrations and child processes they
 * find next to themselves — so two scripts of one name cannot both be in it.
 */
export function bundledScripts(): Record<string, string> {
  if (scripts) return scripts;
  const clis = readdirSync(join(root, 'src/jobs'))
    .filter((f) => f.endsWith('-cli.ts'))
    .map((f) => `src/jobs/${f}`);
  const found: Record<string, string> = {};
  for (const script of [...clis, 'tests/fixtures/bot-server.ts', 'tests/fixtures/register-many.ts']) {
    const name = basename(script, '.ts');
    if (found[name]) throw new Error(`${found[name]} and ${script} would be one file in the test bundle`);
    found[name] = script;
  }
  return (scripts = found);
}

/** The bundled twin (`<bundle>/<name>.mjs`) of one of the bot's own files, when this run has a bundle. */
export function bundledFile(name: string): URL | undefined {
  const dir = process.env[BUNDLE_ENV];
  return dir ? pathToFileURL(join(dir, `${name}.mjs`)) : undefined;
}

/** A child's environment: only what the test names, plus PATH, HOME and the run's mark. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', [RUN_MARK]: process.env[RUN_MARK] ?? '', ...extra };
}

/**
 * How a `.ts` script runs: 'bundle' from this run's bundle when the global setup bundled it (a test
 * file run without it, e.g. by an editor's runner that skips global setup, falls back to tsx);
 * 'tsx' under tsx's loader, as the `npm run …` scripts run the tools.
 */
export type Loader = 'bundle' | 'tsx';

function command(script: string, nodeArgs: string[], loader: Loader): string[] {
  if (!script.endsWith('.ts')) return [...nodeArgs, script];
  const name = basename(script, '.ts');
  if (loader === 'bundle' && bundledScripts()[name] === relative(root, resolvePath(root, script))) {
    const twin = bundledFile(name);
    // source maps: a stack trace in a test's failure names the TypeScript lines, not the bundle's
    if (twin) return ['--enable-source-maps', ...nodeArgs, fileURLToPath(twin)];
  }
  return ['--import', 'tsx', ...nodeArgs, script];
}

/** node [nodeArgs…] script [args…] from the repository root; `.ts` scripts bundled or under tsx's loader (see Loader). */
export function spawnNode(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = [], loader: Loader = 'bundle'): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...command(script, nodeArgs, loader), ...args], { env: childEnv(env), cwd: root });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script to its end with `input` on its standard input. */
export function runNode(script: string, args: string[], env: Record<string, string>, input = '', nodeArgs: string[] = [], loader: Loader = 'bundle'): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(script, args, env, nodeArgs, loader);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Resolves once the child has exited (at once if it already has), with how it ended. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Sends `signal` and waits until the process is gone. */
export async function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals = 'SIGTERM') {
  const end = exited(child);
  child.kill(signal);
  return end;
}
