// What the outbox hands a platform sender. Platforms implement Sender; nothing else knows them.
import type { Reply, Subject } from './reply';

export type DeliveryTarget =
  /** an answer to a message the bot received; `context` holds what the platform needs to reply in place, at the first attempt only (the outbox drops it after that) */
  | { kind: 'reply'; chatId: string; chatType: 'p2p' | 'group'; messageId: string | null; userId: string; context?: Record<string, unknown> }
  | { kind: 'chat'; chatId: string }
  | ({ kind: 'user'; userId: string } & Attention)
  /** the same message to several people on one platform (DingTalk sends up to 20 in one call) */
  | ({ kind: 'users'; userIds: string[] } & Attention)
  /** a card the platform already shows, brought up to date in place (Feishu; a DingTalk robot's messages cannot be) */
  | { kind: 'update'; messageId: string };

/** What a message to people asks beyond delivery: the business says so, each platform does what it can. */
export interface Attention {
  /** alert each recipient at once (Feishu's 加急), once per key and person; a key names an item and a level, e.g. supervision:DB-2026-0001:overdue-3:2026-11-25 */
  urgent?: string[];
  /** a deadline reminder to this unit's contacts: followed up while unread, where the platform reports reads */
  unitId?: number;
  /** the items such a reminder lists: its follow-up names them and goes to those responsible for them */
  subjects?: Subject[];
}

export interface Outgoing {
  id: number;
  dedupeKey: string;
  platform: string;
  target: DeliveryTarget;
  reply: Reply;
  /** 1 on the first try */
  attempt: number;
}

/** A message a platform accepted, as it numbers it, and to whom it went (a person by their id, or a chat). */
export interface Delivered {
  messageId: string;
  userId?: string;
  chatId?: string;
  /** the platform cannot change it once sent (a DingTalk work notice): it is never queued an update */
  fixed?: true;
}

export interface Sender {
  /** What the platform took, where it says (Feishu names each message; a DingTalk robot does not). */
  send(message: Outgoing): Promise<Delivered[] | void>;
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
