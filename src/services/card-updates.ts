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
 * offered (a group chat, a leader shown 查看 where a unit is shown 办结). A `view` of the item the
 * copy offered stays: looking at the item is always possible, though its own card does not offer it
 * (a unit contact's assignment notice keeps its 查看).
 */
export function keptButtons(card: Card, offered: readonly string[], view?: CardAction): Card {
  const actions = (card.actions ?? []).flatMap((a): CardAction[] => {
    if (offered.includes(a.command)) return [{ label: a.label, command: a.command }];
    return a.fallback && offered.includes(a.fallback.command) ? [a.fallback] : [];
  });
  if (view && offered.includes(view.command) && !actions.some((a) => a.command === view.command)) actions.push(view);
  const { actions: _all, ...rest } = card;
  return actions.length ? { ...rest, actions } : rest;
}

/** The commands a card's buttons send. */
export function commandsOf(card: Card): string[] {
  return (card.actions ?? []).map((a) => a.command);
}

export function createCardUpdatesService(
  db: Db,
  clock: Clock,
  deps: { outbox: OutboxService; cards: ItemCards; read: ItemReaders; today: () => LocalDate; timezone: string },
) {
  /** The item's card as it now stands, and the button that shows it (as the notices about it offer it). */
  async function current(about: Subject): Promise<{ card: Card; view: CardAction }> {
    const regNo = about.slice(about.indexOf(':') + 1);
    const today = deps.today();
    const [reply, query] = about.startsWith('document:')
      ? [deps.cards.document(await deps.read.document(regNo), today), '公文查询']
      : about.startsWith('supervision:')
        ? [deps.cards.supervision(await deps.read.supervision(regNo), today, deps.timezone), '督办查询']
        : await deps.read.proposal(regNo).then((p) => [deps.cards.proposal(p, today), `${p.kind}查询`] as const);
    if (!('card' in reply)) throw new Error(`the card of ${about} is not a card`);
    return { card: reply.card, view: { label: '查看', command: `${query} ${regNo}` } };
  }

  return {
    /**
     * Inside the transaction of a change of the item: one update queued for each message showing
     * it that can still be updated, and the cards about it still waiting to be sent rewritten, each
     * with the card as it now stands. Costs one indexed lookup and a look at what waits when
     * nothing was ever sent about it. Returns how many updates were queued. Called before the
     * change queues notices of its own: they already show the item as it now stands.
     */
    async changed(about: Subject): Promise<number> {
      let now: Promise<{ card: Card; view: CardAction }> | undefined;
      const item = () => (now ??= current(about));
      // Those waiting first: one sent meanwhile is either marked sent by now, and found below, or
      // marked after this commits, and then updated by the outbox (see OutboxService.markSent).
      await deps.outbox.reviseWaiting(about, async (card) => {
        const { card: fresh, view } = await item();
        return keptButtons(fresh, commandsOf(card), view);
      });
      const copies = await db.q
        .select({ platform: sentMessages.platform, messageId: sentMessages.messageId, commands: sentMessages.commands })
        .from(sentMessages)
        .where(and(eq(sentMessages.subject, about), gt(sentMessages.sentAt, clock.now() - UPDATE_WINDOW_MS)))
        .orderBy(sentMessages.id);
      if (copies.length === 0) return 0;
      const { card, view } = await item();
      // two changes in one clock tick are two updates, each after the other
      const change = randomUUID();
      for (const copy of copies) {
        await deps.outbox.enqueue({
          dedupeKey: `card-update:${copy.platform}:${copy.messageId}:${change}`,
          platform: copy.platform,
          target: { kind: 'update', messageId: copy.messageId },
          reply: { card: keptButtons(card, copy.commands ?? [], view) },
        });
      }
      return copies.length;
    },

    /**
     * Inside the transaction of a click answered in place: the clicked message now shows the
     * answer (the first card or form of the replies, as a platform answering in place shows it),
     * and is kept true as that. A message that shows no one item any more is no longer updated.
     */
    async answeredInPlace(platform: string, messageId: string, replies: readonly Reply[]): Promise<void> {
      const shown = replies.find((r) => 'card' in r || 'form' in r);
      // answered in words only: the message keeps what it showed
      if (!shown) return;
      const about = 'card' in shown ? (shown.card.about ?? null) : null;
      // Every message the bot sent was recorded when it was (one sent before records were kept, or
      // forgotten after 30 days, is past the update window anyway).
      await db.q
        .update(sentMessages)
        .set({ subject: about, commands: about && 'card' in shown ? commandsOf(shown.card) : null })
        .where(and(eq(sentMessages.platform, platform), eq(sentMessages.messageId, messageId)));
    },

    /** Forgets sent messages older than they are kept. Returns how many. */
    async purge(): Promise<number> {
      return db.tx(async () => changedRows(await db.q.delete(sentMessages).where(lt(sentMessages.sentAt, clock.now() - SENT_MESSAGES_KEPT_MS))));
    },
  };
}

export type CardUpdatesService = ReturnType<typeof createCardUpdatesService>;
