// The HTTP face of the bot: health, and whatever the enabled platforms mount.
import { sql } from 'drizzle-orm';
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../db/client';

export interface AppOptions {
  db: Db;
  log: Logger;
  /** platform routers, mounted under /webhook */
  webhooks?: Router[];
  /** the web console, mounted under /console */
  console?: Router;
}

export function createApp({ db, log, webhooks = [], console: consoleRouter }: AppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // answers are small and never cached: hashing each for an ETag is work for nothing
  app.set('etag', false);

  app.get('/healthz', async (_req, res) => {
    try {
      // on SQLite the query goes to the read-only connection: whether the one every write needs
      // is still open is asked apart
      if (db.sqlite && !db.sqlite.open) throw new Error('database closed');
      await db.all(sql`SELECT 1 AS ok`);
      res.json({ status: 'ok' });
    } catch (err) {
      log.warn({ err }, 'health check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database' });
    }
  });

  for (const router of webhooks) app.use('/webhook', router);
  if (consoleRouter) app.use('/console', consoleRouter);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) log.error({ err }, 'request failed');
    res.status(status).json({ error: status === 413 ? 'payload too large' : status < 500 ? 'bad request' : 'internal error' });
  };
  app.use(onError);
  return app;
}
