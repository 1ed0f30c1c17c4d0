import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { chats } from '../../db/schema';
import type { Clock } from '../lib/clock';

export interface ChatRef {
  platform: string;
  chatId: string;
  type: 'p2p' | 'group';
  title?: string | undefined;
}

export function createChatsService(db: Db, clock: Clock) {
  return {
    /** Remembers every chat the bot hears from, so admins can see and scope them. */
    seen(chat: ChatRef): void {
      const now = clock.now();
      db.insert(chats)
        .values({ platform: chat.platform, chatId: chat.chatId, type: chat.type, title: chat.title ?? null, firstSeenAt: now, lastSeenAt: now })
        .onConflictDoUpdate({
          target: [chats.platform, chats.chatId],
          set: { lastSeenAt: now, title: sql`coalesce(excluded.title, ${chats.title})` },
        })
        .run();
    },
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;
