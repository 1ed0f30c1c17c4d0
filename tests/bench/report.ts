// What every benchmark section hands back, and how run.ts prints and stores it. Benchmarks
// print figures; pass/fail only compares a figure with the target an issue set for it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Row {
  figure: string;
  measured: number;
  unit: string;
  /** the upper bound an issue set; absent for figures shown only for context */
  target?: number;
  /** the lower bound an issue set (a throughput, a ratio); absent when there is none */
  atLeast?: number;
  /** the same work done without the bot around it, for comparison */
  baseline?: number;
  /** measured within its bounds (≤ target, ≥ atLeast); absent without either */
  ok?: boolean;
  /** each run's figure when the section ran several times (measured is their median) */
  runs?: number[];
}

export interface SectionResult {
  name: string;
  rows: Row[];
  notes: string[];
}

export interface Section {
  name: string;
  run(): Promise<SectionResult>;
}

export interface Bounds {
  target?: number;
  atLeast?: number;
  baseline?: number;
}

export function row(figure: string, measured: number, unit: string, extra: Bounds = {}): Row {
  const r: Row = { figure, measured: round(measured), unit };
  if (extra.target !== undefined) r.target = extra.target;
  if (extra.atLeast !== undefined) r.atLeast = extra.atLeast;
  if (extra.target !== undefined || extra.atLeast !== undefined) {
    r.ok = measured <= (extra.target ?? Infinity) && measured >= (extra.atLeast ?? -Infinity);
  }
  if (extra.baseline !== undefined) r.baseline = round(extra.baseline);
  return r;
}

/** Whole numbers from 100, two decimals from 1, three significant digits below (a ratio of 0.395 is not 0.4). */
function round(n: number): number {
  if (Math.abs(n) >= 100) return Math.round(n);
  return Math.abs(n) >= 1 ? Math.round(n * 100) / 100 : Number(n.toPrecision(3));
}

/** Nearest-rank percentiles: every figure is a latency some request really had. */
export function percentiles(samples: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1)! };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

/** One row per figure, measured and baseline being the median over the runs; the runs are kept. */
export function mergeRuns(runs: readonly Row[][]): Row[] {
  if (runs.length === 1) return runs[0]!;
  return runs[0]!.map((first, i) => {
    const same = runs.map((r) => r[i]!);
    const measured = same.map((r) => r.measured);
    const baselines = same.flatMap((r) => (r.baseline === undefined ? [] : [r.baseline]));
    const merged = row(first.figure, median(measured), first.unit, {
      ...(first.target !== undefined ? { target: first.target } : {}),
      ...(first.atLeast !== undefined ? { atLeast: first.atLeast } : {}),
      ...(baselines.length ? { baseline: median(baselines) } : {}),
    });
    return { ...merged, runs: measured };
  });
}

/** Terminal columns: CJK characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, w: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
}

function bounds(r: Row): string {
  return [r.atLeast === undefined ? '' : `≥ ${r.atLeast} ${r.unit}`, r.target === undefined ? '' : `≤ ${r.target} ${r.unit}`].filter(Boolean).join(', ');
}

/** figure, target, measured, baseline, result: the columns of the printed table and the README's. */
export function cells(r: Row): string[] {
  const measured = `${r.measured} ${r.unit}` + (r.runs ? ` (${Math.min(...r.runs)}–${Math.max(...r.runs)})` : '');
  return [
    r.figure,
    bounds(r),
    measured,
    r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`,
    r.ok === undefined ? '' : r.ok ? 'PASS' : 'FAIL',
  ];
}

export function formatTable(section: SectionResult): string {
  const header = ['figure', 'target', 'measured', 'baseline', 'result'];
  const body = section.rows.map(cells);
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((c) => width(c[i]!))));
  const line = (c: string[]) => c.map((s, i) => pad(s, widths[i]!, i === 2 || i === 3)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`== ${section.name} ==`, line(header), rule, ...body.map(line), ...section.notes.map((n) => `  · ${n}`)].join('\n');
}

/** Written beside and renamed over, so a killed run never leaves half a file. */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
