// The suite's child processes. A TypeScript entry runs as node itself with tsx as its loader —
// not tsx's command, which forks the real process beneath a wrapper: a signal meant for the bot
// would reach only the wrapper. Every child carries the run's mark in its environment (the
// test's own variables replace the rest), so that the global teardown finds any left running.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The environment variable that marks the processes of one `npm test` run (tests/global-setup.ts). */
export const RUN_MARK = 'ZWBOT_TEST_RUN';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A child's environment: only what the test names, plus PATH, HOME and the run's mark. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', [RUN_MARK]: process.env[RUN_MARK] ?? '', ...extra };
}

/** node [nodeArgs…] script [args…] from the repository root; `.ts` scripts under tsx's loader. */
export function spawnNode(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcessWithoutNullStreams {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return spawn(process.execPath, [...loader, ...nodeArgs, script, ...args], { env: childEnv(env), cwd: root });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script to its end with `input` on its standard input. */
export function runNode(script: string, args: string[], env: Record<string, string>, input = '', nodeArgs: string[] = []): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(script, args, env, nodeArgs);
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
