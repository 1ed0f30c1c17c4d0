// `npm run bench [-- <section> …]`: runs the named benchmark sections (all of them when none is
// named), prints one table per section, and writes results/<section>.json plus
// results/latest.json with the sections of this run. BENCH_RESULTS names another folder, so a
// smoke run at reduced scale never overwrites the figures kept in the repository. A full run
// into the repository's folder also rewrites the README's table from latest.json. A later
// issue's benchmark is a module exporting a Section, added to the list below.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Unavailable } from './cli';
import { consoleLedgers } from './console';
import { core } from './core';
import { figures } from './figures';
import { intake } from './intake';
import { lark } from './lark';
import { postgres } from './postgres';
import { proposals } from './proposals';
import { updateReadme } from './readme-table';
import { reminders } from './reminders';
import { formatTable, writeJson, type Section, type SectionResult } from './report';
import { supervision } from './supervision';
import { webhooks } from './webhooks';

const SECTIONS: Section[] = [core, lark, supervision, proposals, reminders, figures, consoleLedgers, webhooks, postgres, intake];

const repositoryResults = fileURLToPath(new URL('./results/', import.meta.url));
const resultsDir = process.env.BENCH_RESULTS || repositoryResults;

function machine() {
  return { node: process.version, platform: process.platform, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
}

/** Which code the figures belong to; optional locks off so a commit running beside us never trips on ours. */
function code(): { commit: string; uncommittedFiles: number } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', uncommittedFiles: 0 };
  }
}

/** The sections named on the command line, in the order given; every one when none is. */
function chosen(names: string[]): Section[] {
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no benchmark section ${unknown.join(', ')}; there are: ${SECTIONS.map((s) => s.name).join(', ')}`);
  return names.length ? names.map((n) => SECTIONS.find((s) => s.name === n)!) : SECTIONS;
}

async function main(): Promise<void> {
  const sections = chosen(process.argv.slice(2));
  const started = performance.now();
  // taken before running: the code as it was when measured
  const context = { at: new Date().toISOString(), machine: machine(), code: code() };
  const results: SectionResult[] = [];
  for (const section of sections) {
    process.stderr.write(`${section.name}:\n`);
    const result = await section.run();
    results.push(result);
    console.log(`\n${formatTable(result)}\n`);
    writeJson(join(resultsDir, `${section.name}.json`), { ...context, ...result });
  }
  writeJson(join(resultsDir, 'latest.json'), { ...context, sections: results });
  // the README shows the figures kept in the repository, and all of them from one run
  if (resolve(resultsDir) === resolve(repositoryResults) && new Set(sections).size === SECTIONS.length) {
    updateReadme(join(resultsDir, 'latest.json'));
    console.log('README.md: benchmark table rewritten from latest.json');
  }
  const failed = results.flatMap((r) => r.rows).filter((r) => r.ok === false);
  console.log(`${failed.length ? `${failed.length} figure(s) miss their target` : 'every figure meets its target'}; ${Math.round((performance.now() - started) / 1000)} s in all`);
}

main().catch((error) => {
  console.error(error instanceof Unavailable ? error.message : error);
  process.exitCode = 1;
});
