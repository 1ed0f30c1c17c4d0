// What the outbox hands a platform sender. Platforms implement Sender; nothing else knows them.
import type { Reply } from './reply';

export type DeliveryTarget =
  /** an answer to a message the bot received; `context` holds what the platform needs to reply in place, at the first attempt only (the outbox drops it after that) */
  | { kind: 'reply'; chatId: string; chatType: 'p2p' | 'group'; messageId: string | null; userId: string; context?: Record<string, unknown> }
  | { kind: 'chat'; chatId: string }
  | { kind: 'user'; userId: string }
  /** the same message to several people on one platform (DingTalk sends up to 20 in one call) */
  | { kind: 'users'; userIds: string[] };

export interface Outgoing {
  id: number;
  dedupeKey: string;
  platform: string;
  target: DeliveryTarget;
  reply: Reply;
  /** 1 on the first try */
  attempt: number;
}

export interface Sender {
  send(message: Outgoing): Promise<void>;
}

/** A failed send. `retryAfterMs` (from a rate-limit answer) overrides the backoff; `permanent` gives up at once. */
export class SendError extends Error {
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  constructor(message: string, options: { retryAfterMs?: number; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SendError';
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, each next up to twice as long, never over cap. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
