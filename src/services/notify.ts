import { createHash } from 'node:crypto';
import type { Reply } from '../lib/reply';
import type { OutboxService } from './outbox';
import type { PeopleService } from './people';

/** Messages to people rather than to a chat: each goes to the identity the person used last. */
export function createNotifyService(outbox: OutboxService, people: PeopleService) {
  return {
    /**
     * The same message to several people: one row per platform, so a platform that can send to
     * many at once (DingTalk) does. Returns how many of them can be reached.
     */
    people(personIds: number[], reply: Reply, dedupeKey: string): number {
      const byPlatform = new Map<string, string[]>();
      for (const id of new Set(personIds)) {
        const identity = people.preferredIdentity(id);
        if (identity) byPlatform.set(identity.platform, [...(byPlatform.get(identity.platform) ?? []), identity.userId]);
      }
      for (const [platform, userIds] of byPlatform) {
        outbox.enqueue({
          dedupeKey: `${dedupeKey}:${platform}:${createHash('sha256').update(userIds.join(',')).digest('hex').slice(0, 24)}`,
          platform,
          target: userIds.length === 1 ? { kind: 'user', userId: userIds[0]! } : { kind: 'users', userIds },
          reply,
        });
      }
      return [...byPlatform.values()].reduce((n, ids) => n + ids.length, 0);
    },

    /** Returns whether the person can be reached at all (someone never seen on any platform cannot). */
    person(personId: number, reply: Reply, dedupeKey: string): boolean {
      const identity = people.preferredIdentity(personId);
      if (!identity) return false;
      outbox.enqueue({
        dedupeKey: `${dedupeKey}:p${personId}`,
        platform: identity.platform,
        target: { kind: 'user', userId: identity.userId },
        reply,
      });
      return true;
    },
  };
}

export type NotifyService = ReturnType<typeof createNotifyService>;
