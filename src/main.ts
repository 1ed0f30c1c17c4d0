// `npm start`: the bot as a service.
import { configOrExit } from './config';
import { createBot } from './bot';
import { createLogger } from './logger';

const config = configOrExit();

const log = createLogger(config.logLevel);
const bot = await createBot({ config, log });
await bot.start({ port: config.port }, { scheduler: true });
log.info(
  { port: bot.port(), database: config.databasePath, lark: Boolean(config.lark), dingtalk: Boolean(config.dingtalk) },
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
