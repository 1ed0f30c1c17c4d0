// The README's benchmark figures, rendered from results/latest.json so that the two cannot
// disagree: run.ts rewrites the README's block after a full run, tests/unit/bench-readme.test.ts
// fails when the block and the committed results differ, and
// `npx tsx tests/bench/readme-table.ts` rewrites the block from the results as they are.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cells, type SectionResult } from './report';

export const BEGIN = '<!-- bench:begin (generated from tests/bench/results/latest.json by tests/bench/readme-table.ts; do not edit) -->';
export const END = '<!-- bench:end -->';

export const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url));
export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** What run.ts writes to latest.json. */
export interface Latest {
  at: string;
  machine: { node: string; platform: string; cpu: string; cores: number };
  code: { commit: string; uncommittedFiles: number };
  sections: SectionResult[];
}

export function readLatest(path = RESULTS): Latest {
  return JSON.parse(readFileSync(path, 'utf8')) as Latest;
}

/** A table cell's text: a pipe would end the cell, a line break the row. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function when(latest: Latest): string {
  const { machine: m, code } = latest;
  const uncommitted = code.uncommittedFiles ? ` with ${code.uncommittedFiles} uncommitted file(s)` : '';
  return `Run of ${latest.at.slice(0, 16).replace('T', ' ')} UTC: ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}, code at commit ${code.commit}${uncommitted}; sections ${latest.sections.map((s) => s.name).join(', ')}.`;
}

/**
 * The block between the markers: when and where the figures were taken, every figure that has a
 * target or a baseline (the rest are in latest.json and the printed tables), and each section's
 * notes, which say what was timed and what each baseline is.
 */
export function renderBlock(latest: Latest): string {
  const shown = latest.sections.flatMap((s) =>
    s.rows.filter((r) => r.target !== undefined || r.atLeast !== undefined || r.baseline !== undefined).map((r) => [s.name, ...cells(r)]),
  );
  const notes = latest.sections.flatMap((s) => [`**${s.name}**`, '', ...s.notes.map((n) => `- ${n}`), '']);
  return [
    when(latest),
    '',
    '| section | figure | target | measured | baseline | result |',
    '|---|---|---|---|---|---|',
    ...shown.map((c) => `| ${c.map(cell).join(' | ')} |`),
    '',
    '<details><summary>What each section measured, and its baselines</summary>',
    '',
    ...notes,
    '</details>',
  ].join('\n');
}

/** Where the block's text lies between the markers; throws unless they are there once, in order. */
function span(readme: string): [number, number] {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin || readme.includes(BEGIN, begin + 1)) throw new Error(`README.md needs one ${BEGIN} … ${END} block`);
  return [begin + BEGIN.length, end];
}

/** The block as it stands in the README, as renderBlock would give it. */
export function currentBlock(readme: string): string {
  const [from, to] = span(readme);
  return readme.slice(from, to).replace(/^\n/, '').replace(/\n$/, '');
}

export function withBlock(readme: string, block: string): string {
  const [from, to] = span(readme);
  return `${readme.slice(0, from)}\n${block}\n${readme.slice(to)}`;
}

export function updateReadme(results = RESULTS, readme = README): void {
  writeFileSync(readme, withBlock(readFileSync(readme, 'utf8'), renderBlock(readLatest(results))));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) updateReadme();
