// What every section shares about how it runs: size knobs from the environment, a progress
// line on stderr (stdout carries the tables), and a scratch folder for its databases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A positive whole number from the environment, or the fallback. */
export function envCount(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

/** Rewrites one status line on a terminal; elsewhere only lines ending in a newline are worth printing. */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${line}`);
  else if (line.endsWith('\n')) process.stderr.write(`  ${line}`);
}

/** 100000 → "100,000": sizes in figures and notes. */
export function count(n: number): string {
  return n.toLocaleString('en');
}

/** A fresh temporary folder for a section's databases, removed afterwards unless BENCH_KEEP=1. */
export async function inScratchDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'zwbot-bench-'));
  try {
    return await fn(dir);
  } finally {
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`  databases kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A section that cannot run on this machine as it is (a server it needs is missing): run.ts
 * prints the message alone, which says what to provide, instead of a stack trace.
 */
export class Unavailable extends Error {
  override name = 'Unavailable';
}
