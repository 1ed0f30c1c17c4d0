// One HTTP server under load, in a process of its own: in the load generator's process it would
// compete with autocannon for the one event loop, and the figures would be the generator's.
//   argv: bot <config JSON>  the real bot, started as `npm start` starts it (without the scheduler)
//   argv: bare               a bare Express JSON endpoint at POST /x, the floor under the webhook
// Sends { port, rssMb } once listening. Asked 'pending', answers how many inbox rows still wait;
// 'measure' starts the event-loop delay figures afresh (after a warm-up) and is answered with
// { pending } too; 'stop' stops cleanly and is answered with the process's peak RSS and how
// long its event loop was held up since (what an acknowledgement waits for), before it exits.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import express from 'express';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { peakRssMb, rssMb } from './rss';

export type ToServer = 'pending' | 'measure' | 'stop';
export interface Stopped {
  rssPeakMb: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}
export type FromServer = { port: number; rssMb: number } | { pending: number } | Stopped;

const [mode, configJson] = process.argv.slice(2);
const send = (m: FromServer) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** Answers 'stop' with the figures, then ends the process. */
async function stopped(): Promise<never> {
  loopDelay.disable();
  await send({ rssPeakMb: peakRssMb(), loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 });
  process.exit(0);
}

async function serveBot(): Promise<void> {
  const bot = await createBot({ config: loadConfig(JSON.parse(configJson!)), log: createLogger('silent') });
  await bot.start({ port: 0, host: '127.0.0.1' });
  // committed rows only: a batch the worker has open is not yet done
  const pending = async () => (await bot.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM inbox WHERE status = 'pending'`))[0]!.n;
  process.on('message', async (m: ToServer) => {
    if (m === 'measure') loopDelay.reset();
    if (m !== 'stop') return send({ pending: await pending() });
    await bot.stop();
    await stopped();
  });
  loopDelay.enable();
  await send({ port: bot.port(), rssMb: rssMb() });
}

async function serveBare(): Promise<void> {
  const app = express();
  app.post('/x', express.json(), (_req, res) => res.json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  process.on('message', async () => {
    server.closeAllConnections();
    server.close();
    await stopped();
  });
  loopDelay.enable();
  await send({ port: (server.address() as AddressInfo).port, rssMb: rssMb() });
}

// orphaned (the benchmark failed or was interrupted): nothing left to serve
process.on('disconnect', () => process.exit(1));

(mode === 'bot' ? serveBot() : serveBare()).catch((error) => {
  console.error(error);
  process.exit(1);
});
