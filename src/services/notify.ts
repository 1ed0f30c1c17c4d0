import { createHash } from 'node:crypto';
import type { Attention } from '../lib/delivery';
import type { Reply } from '../lib/reply';
import type { Role } from './actor';
import type { OutboxService } from './outbox';
import type { PeopleService } from './people';

/** A card as one role sees it: the buttons it may press, no others (the engine's rights table decides). */
export type ButtonsFor = (reply: Reply, role: Role | null) => Reply;

/**
 * Messages to people rather than to a chat: each goes to the identity the person used last, its
 * card showing only the buttons that person's role may press.
 */
export function createNotifyService(outbox: OutboxService, people: PeopleService, buttonsFor: ButtonsFor) {
  return {
    /**
     * The same message to several people: one row per platform and role, so a platform that can
     * send to many at once (DingTalk) does, and nobody is offered a button they would be refused.
     * `attention` (an urgent alert, a reminder followed up while unread) goes with each row for the
     * platform to honour where it can. Returns how many of them can be reached.
     */
    async people(personIds: number[], reply: Reply, dedupeKey: string, attention: Attention = {}): Promise<number> {
      const groups = new Map<string, { platform: string; role: Role | null; userIds: string[] }>();
      for (const id of new Set(personIds)) {
        const reach = await people.reach(id);
        if (!reach) continue;
        const { identity, role } = reach;
        const key = `${identity.platform}|${role}`;
        const group = groups.get(key) ?? { platform: identity.platform, role, userIds: [] };
        group.userIds.push(identity.userId);
        groups.set(key, group);
      }
      for (const { platform, role, userIds } of groups.values()) {
        await outbox.enqueue({
          dedupeKey: `${dedupeKey}:${platform}:${createHash('sha256').update(userIds.join(',')).digest('hex').slice(0, 24)}`,
          platform,
          target: userIds.length === 1 ? { kind: 'user', userId: userIds[0]!, ...attention } : { kind: 'users', userIds, ...attention },
          reply: buttonsFor(reply, role),
        });
      }
      return [...groups.values()].reduce((n, g) => n + g.userIds.length, 0);
    },

    /** Returns whether the person can be reached at all (someone never seen on any platform cannot). */
    async person(personId: number, reply: Reply, dedupeKey: string): Promise<boolean> {
      const reach = await people.reach(personId);
      if (!reach) return false;
      await outbox.enqueue({
        dedupeKey: `${dedupeKey}:p${personId}`,
        platform: reach.identity.platform,
        target: { kind: 'user', userId: reach.identity.userId },
        reply: buttonsFor(reply, reach.role),
      });
      return true;
    },
  };
}

export type NotifyService = ReturnType<typeof createNotifyService>;
