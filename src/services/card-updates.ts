// Cards that stay true: when an item changes, every message the bot sent showing it is brought up
// to date where the platform allows (Feishu: for 14 days after sending), through the outbox like
// any send and in the transaction of the change.
import { randomUUID } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { sentMessages } from '../../db/schema';
import type { Clock } from '../lib/clock';
import type { LocalDate } from '../lib/dates';
import type { Card, CardAction, Reply, Subject } from '../lib/reply';
import type { DocumentView } from './documents';
import type { OutboxService } from './outbox';
import type { ProposalView } from './proposals';
import type { ItemDetail } from './supervision';

/** Feishu updates a message for 14 days after it was sent; an older one would only be refused (230031). */
export const UPDATE_WINDOW_MS = 14 * 86_400_000;
/** Sent messages are kept past the update window, for what reads them later (read receipts), then forgotten. */
export const SENT_MESSAGES_KEPT_MS = 30 * 86_400_000;

/** An item's card as its own command shows it, without a heading: the commands' builders, handed down at wiring time (services do not import commands). */
export interface ItemCards {
  document(doc: DocumentView, today: LocalDate): Reply;
  supervision(item: ItemDetail, today: LocalDate, timezone: string): Reply;
  proposal(p: ProposalView, today: LocalDate): Reply;
}

/** An item as it stands, by registration number. */
export interface ItemReaders {
  document(regNo: string): Promise<DocumentView>;
  supervision(regNo: string): Promise<ItemDetail>;
  proposal(regNo: string): Promise<ProposalView>;
}

const KIND = { 公文: 'document', 督办: 'supervision', 建议: 'proposal', 提案: 'proposal' } as const;

/** The subject of an item named the way reminders and the calendar name them. */
export function subjectOf(what: keyof typeof KIND, regNo: string): Subject {
  return `${KIND[what]}:${regNo}`;
}

/**
 * The card as one copy may show it: only the buttons the copy already offered (or their fallback),
 * so a button whose action is no longer possible goes, and none appears that its readers were not
 * offered (a group chat, a leader shown 查看 where a unit is shown 办结).
 */
export function keptButtons(card: Card, offered: readonly string[]): Card {
  const actions = (card.actions ?? []).flatMap((a): CardAction[] => {
    if (offered.includes(a.command)) return [{ label: a.label, command: a.command }];
    return a.fallback && offered.includes(a.fallback.command) ? [a.fallback] : [];
  });
  const { actions: _all, ...rest } = card;
  return actions.length ? { ...rest, actions } : rest;
}

export function createCardUpdatesService(
  db: Db,
  clock: Clock,
  deps: { outbox: OutboxService; cards: ItemCards; read: ItemReaders; today: () => LocalDate; timezone: string },
) {
  async function currentCard(about: Subject): Promise<Card> {
    const regNo = about.slice(about.indexOf(':') + 1);
    const today = deps.today();
    const reply = about.startsWith('document:')
      ? deps.cards.document(await deps.read.document(regNo), today)
      : about.startsWith('supervision:')
        ? deps.cards.supervision(await deps.read.supervision(regNo), today, deps.timezone)
        : deps.cards.proposal(await deps.read.proposal(regNo), today);
    if (!('card' in reply)) throw new Error(`the card of ${about} is not a card`);
    return reply.card;
  }

  return {
    /**
     * Inside the transaction of a change of the item: one update queued for each message showing
     * it that can still be updated, with its card as it now stands. Costs one indexed lookup when
     * nothing was ever sent about it. Returns how many were queued.
     */
    async changed(about: Subject): Promise<number> {
      const copies = await db.q
        .select({ platform: sentMessages.platform, messageId: sentMessages.messageId, commands: sentMessages.commands })
        .from(sentMessages)
        .where(and(eq(sentMessages.subject, about), gt(sentMessages.sentAt, clock.now() - UPDATE_WINDOW_MS)))
        .orderBy(sentMessages.id);
      if (copies.length === 0) return 0;
      const card = await currentCard(about);
      // two changes in one clock tick are two updates, each after the other
      const change = randomUUID();
      for (const copy of copies) {
        await deps.outbox.enqueue({
          dedupeKey: `card-update:${copy.platform}:${copy.messageId}:${change}`,
          platform: copy.platform,
          target: { kind: 'update', messageId: copy.messageId },
          reply: { card: keptButtons(card, copy.commands ?? []) },
        });
      }
      return copies.length;
    },

    /** Forgets sent messages older than they are kept. Returns how many. */
    async purge(): Promise<number> {
      return db.tx(async () => changedRows(await db.q.delete(sentMessages).where(lt(sentMessages.sentAt, clock.now() - SENT_MESSAGES_KEPT_MS))));
    },
  };
}

export type CardUpdatesService = ReturnType<typeof createCardUpdatesService>;
