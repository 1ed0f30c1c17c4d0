// Builds a real bot on a fresh database (an SQLite file, or a PostgreSQL database in the pg project) with a clock the test controls, and talks to it
// through the same inbox → engine → outbox → sender path the messengers use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBot, type Bot } from '../src/bot';
import { loadConfig } from '../src/config';
import type { IncomingMessage } from '../src/engine/message';
import type { Extractor } from '../src/intake/extractor';
import { ManualClock } from '../src/lib/clock';
import type { Outgoing, Sender } from '../src/lib/delivery';
import { createLogger, type Logger } from '../src/logger';
import { consoleMessage } from '../src/platforms/console/receiver';
import { renderPlain } from '../src/platforms/console/render';
import { parseIdentity } from '../src/services/people';
import { placeholders, testDatabase, type TestDatabase } from './test-db';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'zwbot-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A folder of its own and a fresh database in it, both gone with the cleanups it registers (the caller runs them, last first). */
export async function scratchDatabase(cleanups: (() => unknown)[]): Promise<{ dir: string; database: TestDatabase }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const database = await testDatabase(dir);
  cleanups.push(() => database.drop());
  return { dir, database };
}

export interface TestBot {
  bot: Bot;
  clock: ManualClock;
  dir: string;
  /** every message the senders accepted, in order */
  sent: Outgoing[];
  /** sends text as someone (default the ADMIN_IDS admin console:admin) and returns the plain-text replies to it */
  say(text: string, as?: string, chat?: Partial<IncomingMessage['chat']>): Promise<string>;
  /** rows of a raw query (`?` placeholders) against the bot's database, on either dialect */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** the first column of the first row, or undefined */
  scalar<T = unknown>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** the first column of every row */
  column<T = unknown>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** plain text of the messages delivered to a person's identity (proactive notifications) */
  deliveredTo(identity: string): string[];
  close(): Promise<void>;
}

export async function makeBot(options: { now?: string; env?: Record<string, string>; senders?: Record<string, Sender>; dir?: string; log?: Logger; extractor?: Extractor } = {}): Promise<TestBot> {
  const own = options.dir ? null : tempDir();
  const dir = options.dir ?? own!.dir;
  const database = await testDatabase(dir);
  const config = loadConfig({ ...database.env, ADMIN_IDS: 'console:admin', LOG_LEVEL: 'silent', ...options.env });
  const clock = new ManualClock(Date.parse(options.now ?? '2026-11-25T09:00:00+08:00'));
  const sent: Outgoing[] = [];
  const recorder: Sender = { send: async (m) => void sent.push(m) };
  const bot = await createBot({ config, log: options.log ?? createLogger('silent'), clock, ...(options.extractor ? { extractor: options.extractor } : {}), senders: options.senders ?? { console: recorder } });
  let seq = 0;
  const rows = async <T,>(text: string, ...params: unknown[]): Promise<T[]> => {
    const { sqlite, pool, dialect } = bot.db;
    if (sqlite) return sqlite.prepare(text).all(...params) as T[];
    return (await pool!.query(placeholders(text, dialect), params)).rows as T[];
  };
  const firstColumn = (row: Record<string, unknown> | undefined) => (row ? Object.values(row)[0] : undefined);
  return {
    rows,
    async scalar<T>(text: string, ...params: unknown[]) {
      return firstColumn((await rows<Record<string, unknown>>(text, ...params))[0]) as T | undefined;
    },
    async column<T>(text: string, ...params: unknown[]) {
      return (await rows<Record<string, unknown>>(text, ...params)).map(firstColumn) as T[];
    },
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
      await bot.receive(msg);
      await bot.worker.drain();
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
      try {
        await bot.stop();
      } finally {
        await database.drop();
        own?.cleanup();
      }
    },
  };
}
