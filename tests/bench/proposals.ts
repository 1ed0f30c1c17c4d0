// Issue 6's figures: importing 10,000 spreadsheet rows ≤ 5 s, and 建议统计 over 100,000 items
// p99 ≤ 100 ms (BENCH_PROPOSAL_ROWS and BENCH_PROPOSALS override the counts). The CSV and the
// statistics database are made here; each is measured in a fresh process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_CHUNK } from '../../src/jobs/proposal-import';
import { buildProposals, proposalCsv, YEAR, YEARS } from './build-proposals';
import { measureInChild } from './child';
import { count, envCount, inScratchDir, progress } from './cli';
import { row, type Section, type SectionResult } from './report';

async function run(): Promise<SectionResult> {
  const csvRows = envCount('BENCH_PROPOSAL_ROWS', 10_000);
  const items = envCount('BENCH_PROPOSALS', 100_000);
  return inScratchDir(async (dir) => {
    const csv = join(dir, 'import.csv');
    writeFileSync(csv, proposalCsv(csvRows));
    process.stderr.write(`  importing: ${count(csvRows)} rows\n`);
    const importRows = await measureInChild(new URL('./proposals-import.ts', import.meta.url), [join(dir, 'import.db'), csv]);

    const path = join(dir, 'stats.db');
    const started = performance.now();
    await buildProposals(path, items, (done) => progress(`building: ${count(done)} of ${count(items)} 建议/提案`));
    const seconds = (performance.now() - started) / 1000;
    progress(`built ${count(items)} 建议/提案 in ${seconds.toFixed(1)} s\n`);
    process.stderr.write('  measuring: bot process\n');
    const statsRows = await measureInChild(new URL('./proposals-bot.ts', import.meta.url), [path]);
    return {
      name: 'proposals',
      rows: [...importRows, row(`build ${count(items)} 建议/提案`, seconds, 's'), ...statsRows],
      notes: [
        `import: one year's ledger, 类型,编号,标题,提出人,主办单位,协办单位,交办日期 in GBK with CRLF as Excel saves it, 建议 and 提案 three to two (numbers have at most four digits); 30 units with 2 contacts each defined beforehand; timed is importProposals from the file's bytes to its report`,
        `import baseline (the floor): the same file decoded and parsed, each row written with plain INSERTs (the item and its units) into a fresh database with the same units, committed ${count(IMPORT_CHUNK)} rows to a BEGIN IMMEDIATE transaction as the import commits (IMPORT_CHUNK in src/jobs/proposal-import.ts); no checks, savepoints, audit entries or notices`,
        `statistics: ${count(items)} items over ${YEARS} years to ${YEAR}, 建议 and 提案 three to two (numbers have four digits, so a kind holds at most 9,999 a year); 1–3 units each; 12% unanswered, 5% sent back by 不满意, 23% answered, 60% evaluated`,
        'statistics baseline: one GROUP BY lead unit, status over the same items computing every figure on the card',
      ],
    };
  });
}

export const proposals: Section = { name: 'proposals', run };
