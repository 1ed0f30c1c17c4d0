// `npm run chat [-- --as platform:userId] [--now ISO-8601]`: talk to the bot on this machine, through the same
// engine, inbox and outbox as the messengers. Reads a terminal or a pipe, one message per line;
// a line ending in \ continues on the next.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { clockFrom } from '../lib/clock';
import { createLogger } from '../logger';
import { consoleMessage, LOCAL_ADMIN } from '../platforms/console/receiver';
import { createConsoleSender } from '../platforms/console/sender';
import { systemActor } from '../services/actor';
import { parseIdentity } from '../services/people';
import { instantOption, NOW_EXAMPLE } from './now-option';

const USAGE = `usage: npm run chat [-- --as platform:userId] [--now ${NOW_EXAMPLE}]`;
function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({ options: { as: { type: 'string' }, now: { type: 'string' } } }));
} catch (error) {
  fail((error as Error).message);
}
const as = values.as ? parseIdentity(values.as) : LOCAL_ADMIN;
if (!as) fail(`--as expects platform:userId, e.g. --as lark:ou_123 (got ${values.as})`);
// --now: the session runs as of that instant, its clock going on from there
const now = instantOption(values.now);
if ('error' in now) fail(now.error);

const config = configOrExit();

// logs go to stderr so that a scripted session's stdout holds only the conversation
const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
const bot = await createBot({ config, log, clock: clockFrom(now.at), senders: { console: createConsoleSender((t) => process.stdout.write(t)) } });
if (as === LOCAL_ADMIN) await bot.db.tx(() => bot.services.people.ensureAdmin(LOCAL_ADMIN, '本地管理员', systemActor('npm run chat')));

const interactive = process.stdin.isTTY;
const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, prompt: '政务助手> ' });
if (interactive) {
  process.stdout.write(`本地对话（身份 ${as.platform}:${as.userId}）。输入「帮助」开始，Ctrl+D 退出。\n`);
  rl.prompt();
}

let pending = '';
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (line.endsWith('\\')) {
    pending += `${line.slice(0, -1)}\n`;
    return;
  }
  const text = pending + line;
  pending = '';
  queue = queue.then(async () => {
    if (text.trim() === '') return;
    await bot.receive(consoleMessage(text, as, bot.services.clock.now()));
    await bot.worker.drain();
    await bot.exportWorker.drain();
    await bot.dispatcher.flush();
    if (interactive) rl.prompt();
  });
});
rl.on('close', () => {
  queue = queue.then(async () => {
    if (pending.trim()) {
      await bot.receive(consoleMessage(pending, as, bot.services.clock.now()));
      await bot.worker.drain();
      await bot.exportWorker.drain();
      await bot.dispatcher.flush();
    }
    await bot.stop();
  });
});
