// Issue 5's figure: 督办逾期 with 100,000 supervision items (10% overdue) p99 ≤ 50 ms
// (BENCH_SUPERVISION_ITEMS overrides the count). Builds the database here, then measures in a
// fresh bot process.
import { join } from 'node:path';
import { buildSupervision, OVERDUE_SHARE } from './build-supervision';
import { measureInChild } from './child';
import { count, envCount, inScratchDir, progress } from './cli';
import { row, type Section, type SectionResult } from './report';

async function run(): Promise<SectionResult> {
  const items = envCount('BENCH_SUPERVISION_ITEMS', 100_000);
  return inScratchDir(async (dir) => {
    const path = join(dir, 'bot.db');
    const started = performance.now();
    await buildSupervision(path, items, (done) => progress(`building: ${count(done)} of ${count(items)} supervision items`));
    const seconds = (performance.now() - started) / 1000;
    progress(`built ${count(items)} supervision items in ${seconds.toFixed(1)} s\n`);
    process.stderr.write('  measuring: bot process\n');
    const rows = await measureInChild(new URL('./supervision-bot.ts', import.meta.url), [path]);
    return {
      name: 'supervision',
      rows: [row(`build ${count(items)} supervision items`, seconds, 's'), ...rows],
      notes: [
        `${count(items)} items started evenly 2020 → yesterday, ${OVERDUE_SHARE * 100}% open past their deadline, 15% open and not yet due, the rest closed; 30 units, 1–3 per item, one contact each`,
        'timed from arrival in the inbox until the reply is committed (receive + drain), 300 requests each after 20 untimed',
        "baseline (the floor): the least SQL giving the reply's answer, timed in the same process: count(*) of the open items past their deadline and the ten most overdue (ORDER BY deadline, id LIMIT 10) with only the fields the reply shows (number, title, deadline, and the lead unit's name looked up for those ten), on the (status, deadline) index as the service uses it, with the unit filter for the contact; the bot's last reply to each is checked to show the same count and the same items in the same order",

      ],
    };
  });
}

export const supervision: Section = { name: 'supervision', run };
