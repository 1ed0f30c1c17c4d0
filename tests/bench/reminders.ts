// Issue 7's figures: a reminder run over 100,000 open items for 5,000 recipients queues its
// messages in ≤ 3 s with RSS ≤ 300 MB (BENCH_REMINDER_ITEMS overrides the count). Builds the
// database here, then runs the job in a fresh process.
import { join } from 'node:path';
import { CONTACTS_PER_UNIT, UNITS, buildReminders } from './build-reminders';
import { measureInChild } from './child';
import { count, envCount, inScratchDir, progress } from './cli';
import { row, type Section, type SectionResult } from './report';

async function run(): Promise<SectionResult> {
  const items = envCount('BENCH_REMINDER_ITEMS', 100_000);
  return inScratchDir(async (dir) => {
    const path = join(dir, 'bot.db');
    const started = performance.now();
    await buildReminders(path, items, (done) => progress(`building: ${count(done)} of ${count(items)} open items`));
    const seconds = (performance.now() - started) / 1000;
    progress(`built ${count(items)} open items in ${seconds.toFixed(1)} s\n`);
    process.stderr.write('  measuring: job process\n');
    const rows = await measureInChild(new URL('./reminders-job.ts', import.meta.url), [path]);
    return {
      name: 'reminders',
      rows: [row(`build ${count(items)} open items`, seconds, 's'), ...rows],
      notes: [
        `${count(items)} open items: 60% 收文, 15% 建议/提案, 25% 督办; 40% overdue (up to 60 days), 20% due today, 40% due within 3 working days`,
        `${UNITS} units (departments, townships, villages) with ${CONTACTS_PER_UNIT} contacts each (${count(UNITS * CONTACTS_PER_UNIT)} people), 10 leaders, one group chat subscribed to 提醒`,
        'timed: runJob(services, "reminders", 08:50) in one transaction, as the scheduler runs it; RSS is the job process\'s high-water mark since it started',
        'baseline: the three SELECTs that read the due items (documents, proposals with their lead unit, supervision items with theirs), nothing else',
      ],
    };
  });
}

export const reminders: Section = { name: 'reminders', run };
