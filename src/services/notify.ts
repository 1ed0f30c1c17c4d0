import type { Reply } from '../lib/reply';
import type { OutboxService } from './outbox';
import type { PeopleService } from './people';

/** Messages to people rather than to a chat: each goes to the identity the person used last. */
export function createNotifyService(outbox: OutboxService, people: PeopleService) {
  return {
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
