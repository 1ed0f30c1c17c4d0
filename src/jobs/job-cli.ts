// `npm run job -- <reminders|feedback|weekly-report|calendar-check> [--now ISO-8601] [--dry-run]`: one job, as
// of any instant; delivers what it queued through the configured messengers (console people on
// this terminal) and prints a summary. --dry-run prints the messages and changes nothing.
import { parseArgs } from 'node:util';
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { ManualClock } from '../lib/clock';
import { createLogger } from '../logger';
import { renderPlain } from '../platforms/console/render';
import { createConsoleSender } from '../platforms/console/sender';
import { instantOption, NOW_EXAMPLE } from './now-option';
import { JOBS, runJob, type JobName } from './run-job';

const USAGE = `usage: npm run job -- <${JOBS.join('|')}> [--now ${NOW_EXAMPLE}] [--dry-run]`;
function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { now: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
const [job] = args.positionals;
if (!job || !(JOBS as readonly string[]).includes(job) || args.positionals.length > 1) fail(USAGE, 2);
const now = instantOption(args.values.now);
if ('error' in now) fail(`${now.error}\n${USAGE}`, 2);
const { at } = now;

const config = configOrExit();
const bot = await createBot({
  config,
  log: createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr),
  clock: new ManualClock(at),
  senders: { console: createConsoleSender((t) => process.stdout.write(t)) },
});
const { summary, queued } = await runJob(bot.services, job as JobName, at, { dryRun: args.values['dry-run'] });
for (const m of queued ?? []) process.stdout.write(`--- ${m.platform} ${JSON.stringify(m.target)}\n${renderPlain(m.reply)}\n`);
if (!args.values['dry-run']) await bot.dispatcher.flush();
const left = (await bot.services.outbox.counts()).pending;
await bot.stop();

const outcome = {
  done: `${args.values['dry-run'] ? '（演练，未发送）' : ''}收件人 ${summary.recipients} 位，群 ${summary.chats} 个，消息 ${summary.messages} 条，涉及事项 ${summary.items} 件。`,
  'already-ran': '这一时段已经运行过，本次未发送任何消息。',
  'not-a-workday': `${summary.slot.slice(0, 10)} 不是工作日，不发送提醒。`,
}[summary.outcome];
process.stdout.write(`${job} ${summary.slot}：${outcome}${left && !args.values['dry-run'] ? `（${left} 条消息等待对应的平台发送）` : ''}\n`);
