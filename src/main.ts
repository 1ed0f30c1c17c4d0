// `npm start`: the bot as a service.
import { configOrExit } from './config';
import { createBot } from './bot';
import { createLogger, databaseLocation } from './logger';

const config = configOrExit();

const log = createLogger(config.logLevel);
const bot = await createBot({ config, log });
try {
  await bot.start({ port: config.port }, { scheduler: true });
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
  // an operator's mistake, not the bot's: one line that says what to do, not a stack
  const other = config.port < 65535 ? config.port + 1 : 3000;
  const line = `政务助手 cannot start: port ${config.port} is already in use — another process holds it (perhaps 政务助手 is already running). Stop that process, or choose another port: PORT=${other} npm start (or PORT=… in .env).`;
  log.fatal({ port: config.port, host: config.host }, line);
  process.stderr.write(`${line}\n`);
  await bot.stop().catch((stopErr) => log.error({ err: stopErr }, 'stop failed'));
  process.exit(1);
}
log.info(
  { port: bot.port(), database: databaseLocation(config.database), lark: Boolean(config.lark), dingtalk: Boolean(config.dingtalk) },
  config.lark || config.dingtalk ? '政务助手 is running' : '政务助手 is running with no messenger configured: chat with it locally with `npm run chat`',
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight work');
    bot.stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  });
}
