// Builds a real bot on a fresh SQLite file with a clock the test controls, and talks to it
// through the same inbox → engine → outbox → sender path the messengers use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot, type Bot } from '../src/bot';
import { loadConfig } from '../src/config';
import type { IncomingMessage } from '../src/engine/message';
import { ManualClock } from '../src/lib/clock';
import type { Outgoing, Sender } from '../src/lib/delivery';
import { createLogger } from '../src/logger';
import { consoleMessage } from '../src/platforms/console/receiver';
import { renderPlain } from '../src/platforms/console/render';
import { parseIdentity } from '../src/services/people';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'zwbot-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestBot {
  bot: Bot;
  clock: ManualClock;
  dir: string;
  /** every message the senders accepted, in order */
  sent: Outgoing[];
  /** sends text as someone (default the ADMIN_IDS admin console:admin) and returns the plain-text replies to it */
  say(text: string, as?: string, chat?: Partial<IncomingMessage['chat']>): Promise<string>;
  /** plain text of the messages delivered to a person's identity (proactive notifications) */
  deliveredTo(identity: string): string[];
  close(): Promise<void>;
}

export async function makeBot(options: { now?: string; env?: Record<string, string>; senders?: Record<string, Sender>; dir?: string } = {}): Promise<TestBot> {
  const own = options.dir ? null : tempDir();
  const dir = options.dir ?? own!.dir;
  const config = loadConfig({ DATABASE_PATH: join(dir, 'bot.db'), ADMIN_IDS: 'console:admin', LOG_LEVEL: 'silent', ...options.env });
  const clock = new ManualClock(Date.parse(options.now ?? '2026-11-25T09:00:00+08:00'));
  const sent: Outgoing[] = [];
  const recorder: Sender = { send: async (m) => void sent.push(m) };
  const bot = await createBot({ config, log: createLogger('silent'), clock, senders: options.senders ?? { console: recorder } });
  let seq = 0;
  return {
    bot,
    clock,
    dir,
    sent,
    async say(text, as = 'console:admin', chat) {
      const identity = parseIdentity(as);
      if (!identity) throw new Error(`bad identity ${as}`);
      const msg = consoleMessage(text, identity, clock.now());
      msg.eventId = `t-${++seq}-${msg.eventId}`;
      if (chat) msg.chat = { ...msg.chat, ...chat };
      const before = sent.length;
      bot.receive(msg);
      bot.worker.drain();
      await bot.dispatcher.flush();
      return sent
        .slice(before)
        .filter((m) => m.target.kind === 'reply')
        .map((m) => renderPlain(m.reply))
        .join('\n---\n');
    },
    deliveredTo(identity) {
      const id = parseIdentity(identity)!;
      const to = (t: Outgoing['target']) => (t.kind === 'user' && t.userId === id.userId) || (t.kind === 'users' && t.userIds.includes(id.userId));
      return sent.filter((m) => m.platform === id.platform && to(m.target)).map((m) => renderPlain(m.reply));
    },
    async close() {
      await bot.stop();
      own?.cleanup();
    },
  };
}
