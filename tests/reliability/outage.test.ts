// Lark down for a while — errors, then calls that hang past the timeout — then back: every
// queued message arrives exactly once, in order within each chat, and no call hangs forever.
import { afterEach, expect, it, vi } from 'vitest';
import { createBot, type Bot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import type { IncomingMessage } from '../../src/engine/message';
import { createLogger } from '../../src/logger';
import { startFakeLark } from '../fixtures/fake-lark';
import { scratchDatabase } from '../helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CHATS = ['oc_a', 'oc_b', 'oc_c'];

function message(chat: string, n: number): IncomingMessage {
  return {
    platform: 'lark',
    eventId: `ev_${chat}_${n}`,
    messageId: `om_${chat}_${n}`,
    chat: { id: chat, type: 'p2p' },
    sender: { platform: 'lark', userId: 'ou_admin' },
    text: '我是谁',
    mentions: [],
    kind: 'text',
    receivedAt: Date.now(),
  };
}

it('delivers every queued message exactly once, in order per chat, after errors and hanging calls', async () => {
  const lark = await startFakeLark();
  cleanups.push(() => lark.close());
  const { database } = await scratchDatabase(cleanups);
  const config = loadConfig({
    ...database.env,
    LARK_APP_ID: 'cli_out',
    LARK_APP_SECRET: 'out-secret',
    LARK_VERIFICATION_TOKEN: 'vt',
    LARK_DOMAIN: lark.url,
    ADMIN_IDS: 'lark:ou_admin',
    HTTP_TIMEOUT_MS: '300',
    OUTBOX_RETRY_BASE_MS: '100',
    OUTBOX_RETRY_CAP_MS: '400',
    OUTBOX_MAX_ATTEMPTS: '100',
  });
  const bot: Bot = await createBot({ config, log: createLogger('silent') });
  await bot.start();
  cleanups.push(() => bot.stop());

  lark.setMode('error');
  for (let n = 1; n <= 3; n++) for (const chat of CHATS) await bot.receive(message(chat, n));
  await vi.waitFor(() => expect(lark.attempts()).toBeGreaterThan(6), { timeout: 10_000 });
  lark.setMode('hang');
  const hungFrom = lark.attempts();
  await vi.waitFor(() => expect(lark.attempts()).toBeGreaterThan(hungFrom + 6), { timeout: 10_000 }); // timeouts free the senders
  lark.setMode('ok');

  // every row committed as sent: from then on the dispatcher has nothing left to send, so no
  // later repeat can arrive
  await vi.waitFor(async () => expect(await bot.services.outbox.counts()).toEqual({ pending: 0, sent: 9, failed: 0 }), { timeout: 15_000, interval: 100 });
  expect(lark.posted).toHaveLength(9);
  expect(new Set(lark.posted.map((p) => p.uuid)).size).toBe(9);
  for (const chat of CHATS) {
    expect(lark.posted.filter((p) => p.to.startsWith(`om_${chat}_`)).map((p) => p.to)).toEqual([1, 2, 3].map((n) => `om_${chat}_${n}`));
  }
});
