// The HTTP face of the bot: health, and whatever the enabled platforms mount.
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../db/client';

// Messengers send UTF-8; anything else is not theirs, and must not reach storage with its bytes replaced
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Deeper than any event Lark or DingTalk sends; a body of nested brackets is refused before JSON.parse sees it. */
export const MAX_NESTING = 64;

/** Whether the JSON text opens more than `max` arrays or objects inside each other (a byte scan, strings skipped). */
export function nestingDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * A webhook body as a JSON object, for the receivers to call once the headers and raw bytes have
 * said all they can: parsing is the costly step, so nesting is bounded by a byte scan first.
 */
export function webhookJson(raw: Buffer): { ok: true; value: object } | { ok: false; reason: string } {
  if (nestingDeeperThan(raw, MAX_NESTING)) return { ok: false, reason: 'body nested too deeply' };
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(raw));
  } catch {
    return { ok: false, reason: 'body is not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'body is not a JSON object' };
  return { ok: true, value };
}

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

  app.get('/healthz', (_req, res) => {
    try {
      const ok = db.$client.open && db.$client.prepare('SELECT 1 AS ok').get();
      if (!ok) throw new Error('database closed');
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
