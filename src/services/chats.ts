// Chats the bot has heard from, and what an admin opened them for: a group chat is closed
// until enabled, per command group; it receives reports and reminder summaries only when subscribed.
import { and, desc, eq, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { lockRows } from '../../db/locks';
import { chats } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { recentKeys } from '../lib/recent-keys';
import type { LocalDate } from '../lib/dates';
import type { Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';

/** The command groups an admin switches per chat (通用 and 管理 are never switched off). */
export const CHAT_GROUPS = ['公文', '建议提案', '督办', '统计'] as const;
export type ChatGroup = (typeof CHAT_GROUPS)[number];

export const SUBSCRIPTIONS = ['周报', '提醒'] as const;
export type Subscription = (typeof SUBSCRIPTIONS)[number];

export interface ChatRef {
  platform: string;
  chatId: string;
  type: 'p2p' | 'group';
  title?: string | undefined;
}

export interface ChatSettings {
  enabledGroups: ChatGroup[];
  subscriptions: Subscription[];
}

export function createChatsService(db: Db, clock: Clock, audit: AuditService) {
  const where = (chat: ChatRef) => and(eq(chats.platform, chat.platform), eq(chats.chatId, chat.chatId));
  const key = (chat: ChatRef) => `${chat.platform}:${chat.chatId}`;
  // a busy chat need not rewrite its row on every message
  const SEEN_EVERY_MS = 600_000;
  const recentlySeen = recentKeys(clock, SEEN_EVERY_MS);

  async function settings(chat: ChatRef): Promise<ChatSettings> {
    const [row] = await db.q.select({ g: chats.enabledGroups, s: chats.subscriptions }).from(chats).where(where(chat)).limit(1);
    return { enabledGroups: (row?.g ?? []) as ChatGroup[], subscriptions: (row?.s ?? []) as Subscription[] };
  }

  function groupOnly(chat: ChatRef, what: string): void {
    if (chat.type !== 'group') throw new UserError(`私聊无需${what}：私聊里按您的角色使用全部功能。请在群聊中发送此命令。`);
  }

  /** Applies a change to one of the chat's lists, audited with before and after, in the caller's transaction. */
  async function change<K extends keyof ChatSettings>(chat: ChatRef, field: K, next: (current: ChatSettings[K]) => ChatSettings[K], action: string, actor: Actor): Promise<ChatSettings> {
    // two admins changing one chat's lists at once each write the list they read: the second waits
    await lockRows(db, chats, where(chat));
    const before = await settings(chat);
    const value = next(before[field]);
    await db.q
      .update(chats)
      .set(field === 'enabledGroups' ? { enabledGroups: value as string[] } : { subscriptions: value as string[] })
      .where(where(chat));
    const after = await settings(chat);
    await audit.record(actor, action, key(chat), before, after);
    return after;
  }

  return {
    settings,

    /** Remembers every chat the bot hears from, so admins can see and scope them. In the caller's transaction. */
    async seen(chat: ChatRef): Promise<void> {
      const title = chat.title ?? '';
      if (recentlySeen.has(key(chat), title)) return;
      const now = clock.now();
      await db.q
        .insert(chats)
        .values({ platform: chat.platform, chatId: chat.chatId, type: chat.type, title: chat.title ?? null, firstSeenAt: now, lastSeenAt: now })
        .onConflictDoUpdate({
          target: [chats.platform, chats.chatId],
          set: { lastSeenAt: now, title: sql`coalesce(excluded.title, ${chats.title})` },
          setWhere: sql`${chats.lastSeenAt} < ${now - SEEN_EVERY_MS} OR (excluded.title IS NOT NULL AND (${chats.title} IS NULL OR excluded.title <> ${chats.title}))`,
        });
      db.afterCommit(() => recentlySeen.add(key(chat), title));
    },

    async enable(chat: ChatRef, groups: ChatGroup[], actor: Actor): Promise<ChatSettings> {
      groupOnly(chat, '启用');
      return change(chat, 'enabledGroups', (g) => CHAT_GROUPS.filter((x) => g.includes(x) || groups.includes(x)), '本群启用', actor);
    },

    async disable(chat: ChatRef, groups: ChatGroup[], actor: Actor): Promise<ChatSettings> {
      groupOnly(chat, '停用');
      return change(chat, 'enabledGroups', (g) => g.filter((x) => !groups.includes(x)), '本群停用', actor);
    },

    async subscribe(chat: ChatRef, subs: Subscription[], actor: Actor): Promise<ChatSettings> {
      groupOnly(chat, '订阅');
      return change(chat, 'subscriptions', (s) => SUBSCRIPTIONS.filter((x) => s.includes(x) || subs.includes(x)), '本群订阅', actor);
    },

    async unsubscribe(chat: ChatRef, subs: Subscription[], actor: Actor): Promise<ChatSettings> {
      groupOnly(chat, '退订');
      return change(chat, 'subscriptions', (s) => s.filter((x) => !subs.includes(x)), '本群退订', actor);
    },

    /** Every group chat the bot has heard from, with what it is open for. */
    async groups(): Promise<(ChatRef & ChatSettings & { lastSeenAt: number })[]> {
      const rows = await db.q.select().from(chats).where(eq(chats.type, 'group')).orderBy(desc(chats.lastSeenAt));
      return rows.map((c) => ({ platform: c.platform, chatId: c.chatId, type: c.type, title: c.title ?? undefined, enabledGroups: c.enabledGroups as ChatGroup[], subscriptions: c.subscriptions as Subscription[], lastSeenAt: c.lastSeenAt }));
    },

    /** The group chats subscribed to the Monday report or to reminder summaries. */
    async subscribedTo(subscription: Subscription): Promise<ChatRef[]> {
      // the lists are JSON text on both dialects, read here rather than looked into in SQL
      const rows = await db.q.select({ platform: chats.platform, chatId: chats.chatId, type: chats.type, subs: chats.subscriptions }).from(chats).where(eq(chats.type, 'group'));
      return rows.filter((c) => (c.subs as string[]).includes(subscription)).map(({ platform, chatId, type }) => ({ platform, chatId, type }));
    },

    /** True the first time a closed chat is due its "not enabled" notice today; records it, in the caller's transaction. */
    async takeClosedNotice(chat: ChatRef, today: LocalDate): Promise<boolean> {
      const result = await db.q
        .update(chats)
        .set({ closedNoticeOn: today })
        .where(and(where(chat), sql`coalesce(${chats.closedNoticeOn}, '') <> ${today}`));
      return changedRows(result) > 0;
    },
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;
