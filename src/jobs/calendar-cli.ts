// `npm run calendar -- import FILE [--dry-run]`: the State Council's holiday notice from a text
// file, shown as 节假日导入 shows it in chat, then made its year's calendar (deadlines recounted,
// their people told), audited as system:npm run calendar; --dry-run shows it and keeps nothing.
// `npm run calendar -- show YEAR`: the year's days as the bot counts them, month by month.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { calendarAdoptedCard, calendarPreviewCard } from '../../commands/calendar';
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { yearOf } from '../lib/dates';
import { card } from '../lib/reply';
import { createLogger } from '../logger';
import { renderPlain } from '../platforms/console/render';
import { createConsoleSender } from '../platforms/console/sender';
import { systemActor } from '../services/actor';
import type { CalendarAdopted, CalendarPreview } from '../services/calendar-changes';
import { UserError } from '../services/errors';
import { holidayLine, holidaysOf, LEGEND, sourceLine, yearGridLines, type Mark } from './calendar-grid';
import { decodeCsv } from './proposal-import';

const USAGE = `usage:
  npm run calendar -- import <notice.txt> [--dry-run]   the State Council's holiday notice (text file, UTF-8 or GBK): show what it changes and make it the year's calendar; --dry-run only shows
  npm run calendar -- show <year>                       the year's working days, holidays and make-up days, e.g. show 2027`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
const [verb, target, ...extra] = args.positionals;
const dryRun = args.values['dry-run'];
if (!target || extra.length || !(verb === 'import' || verb === 'show')) fail(USAGE, 2);
if (verb === 'show' && !/^\d{4}$/.test(target)) fail(`expected a year of four digits, e.g. 2027 (got ${target})\n${USAGE}`, 2);
if (verb === 'show' && dryRun) fail(`--dry-run goes with import\n${USAGE}`, 2);

let text = '';
if (verb === 'import') {
  try {
    // a notice saved from Notepad on a Chinese Windows is GBK, as Excel's CSV is
    text = decodeCsv(readFileSync(target));
  } catch (error) {
    fail(`cannot read ${target}: ${(error as Error).message}\n${USAGE}`, 2);
  }
}

const config = configOrExit();
const bot = await createBot({
  config,
  log: createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr),
  senders: { console: createConsoleSender((t) => process.stdout.write(t)) },
});
const { calendar, calendarChanges, outbox } = bot.services;
const out = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);

/** Thrown to roll a dry run back once it has the preview: not even the pending notice is kept. */
class DryRun extends Error {
  constructor(readonly preview: CalendarPreview) {
    super('dry run');
  }
}

if (verb === 'import') {
  const actor = systemActor('npm run calendar');
  let preview: CalendarPreview;
  let adopted: CalendarAdopted | null = null;
  try {
    // read and confirm in one transaction: the year's calendar, or nothing at all
    ({ preview, adopted } = await bot.db.tx(async () => {
      const p = await calendarChanges.read(text, actor);
      if (dryRun) throw new DryRun(p);
      return { preview: p, adopted: await calendarChanges.confirm(p.id, actor) };
    }));
  } catch (error) {
    if (error instanceof DryRun) preview = error.preview;
    else if (error instanceof UserError) {
      await bot.stop();
      fail(error.message, 1);
    } else throw error;
  }
  // the card's button and its 节假日导入确认 line are for chat; here the file is confirmed, or a dry run keeps nothing to confirm
  const shown = calendarPreviewCard(preview);
  out([renderPlain(card({ ...shown, lines: shown.lines!.filter((l) => !l.includes(`节假日导入确认 ${preview.id}`)), actions: [] }))]);
  if (adopted) {
    out(['', renderPlain(card(calendarAdoptedCard(adopted)))]);
    await bot.dispatcher.flush();
    const left = (await outbox.counts()).pending;
    if (left) out([`（${left} 条消息等待对应的平台发送：机器人运行时发出）`]);
  } else {
    out(['', `（演练，未保存：去掉 --dry-run 再运行一次即导入${preview.year}年的安排。）`]);
  }
} else {
  const year = Number(target);
  // the calendar in force, read once: the grid asks it of every day of the year
  const inForce = await calendar.current();
  const day = (date: string) => inForce.day(date);
  // colour only for a person at a terminal; the letters and brackets carry the same meaning without it
  const colour: Record<Mark, string> = { work: '', weekend: '\x1b[2m', off: '\x1b[31m', makeup: '\x1b[33m' };
  const paint = process.stdout.isTTY && !process.env.NO_COLOR ? (m: Mark, cell: string) => (colour[m] ? `${colour[m]}${cell}\x1b[0m` : cell) : undefined;
  const holidays = holidaysOf(year, day);
  const overrides = inForce
    .overrideList()
    .filter((o) => yearOf(o.date) === year)
    .reverse();
  out([
    `${year}年工作日历`,
    '',
    ...yearGridLines(year, day, { perRow: (process.stdout.columns ?? 120) < 111 ? 2 : 3, ...(paint ? { paint } : {}) }),
    '',
    LEGEND,
    '',
    sourceLine(year, day),
    ...(holidays.length ? ['节假日：', ...holidays.map((h) => `  ${holidayLine(h)}`)] : []),
    ...(overrides.length ? ['节假日设置（管理员指定，优先于通知）：', ...overrides.map((o) => `  ${o.date} ${o.workday ? '班（工作日）' : '休（休息日）'}`)] : []),
  ]);
}
await bot.stop();
