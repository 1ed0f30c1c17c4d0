// Shared by the load and crash tests: Feishu events as Lark sends them, at a steady rate.
import { createBot } from '../../src/bot';
import type { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { systemActor } from '../../src/services/actor';
import { messageEvent, signedRequest } from '../fixtures/lark';
import type { TestDatabase } from '../test-db';

export const KEY = 'reliability-encrypt-key';
export const SENDERS = 100;

/** A bot's environment for this load: Feishu webhooks, signed and encrypted, against the fake at `lark`. */
export function loadEnv(database: TestDatabase, lark: string): Record<string, string> {
  return { ...database.env, LARK_APP_ID: 'cli_rel', LARK_APP_SECRET: 'rel-secret', LARK_ENCRYPT_KEY: KEY, LARK_DOMAIN: lark, LOG_LEVEL: 'silent', ADMIN_IDS: 'lark:ou_admin' };
}

/** The senders hold the staff role, so each event registers a document. */
export async function grantSenders(config: ReturnType<typeof loadConfig>): Promise<void> {
  const bot = await createBot({ config: { ...config, lark: null }, log: createLogger('silent') });
  await bot.db.tx(async () => {
    for (let s = 0; s < SENDERS; s++) await bot.services.people.grant({ platform: 'lark', userId: `ou_s${s}` }, `员工${s}`, 'staff', null, systemActor('test'));
  });
  await bot.stop();
}

/** Event i: sender i mod 100 registers a document with a 文号 of its own. */
export function registration(i: number) {
  const sender = `ou_s${i % SENDERS}`;
  return signedRequest(KEY, messageEvent({ eventId: `ev_${i}`, messageId: `om_${i}`, openId: sender, chatId: `oc_${sender}`, text: `收文登记 标题=压力测试第${i}件 来文单位=测试单位 文号=测〔2026〕${i}号` }));
}

export interface Sent {
  i: number;
  ok: boolean;
  ms: number;
}

/**
 * Posts `count` events, one every 1000/rate ms, re-posting a tenth of them a moment later as
 * Lark's redeliveries do, until `stop` says so; `onSent(i)` follows the i-th. Resolves when every
 * request has an answer or an error.
 */
export async function postAtRate(url: string, count: number, rate: number, stop: () => boolean = () => false, onSent: (i: number) => void = () => {}): Promise<Sent[]> {
  const results: Promise<Sent>[] = [];
  const send = (i: number): Promise<Sent> => {
    const body = registration(i);
    const started = performance.now();
    return fetch(url, { method: 'POST', ...body })
      .then((res) => ({ i, ok: res.status === 200, ms: performance.now() - started }))
      .catch(() => ({ i, ok: false, ms: performance.now() - started }));
  };
  for (let i = 1; i <= count && !stop(); i++) {
    results.push(send(i));
    if (i % 10 === 0) results.push(send(i - 5));
    onSent(i);
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  return Promise.all(results);
}

export function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}
