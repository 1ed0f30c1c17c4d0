// What two instances on one PostgreSQL database could each write over the other's work without a
// lock: one chat's lists changed by two admins at once, one person met by two instances at once.
import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { makeBot } from '../helpers';
import { otherInstance } from '../fixtures/other-instance';
import { race } from './races';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('two instances at once', () => {
  it('keep both admins’ changes to one chat’s enabled groups', async () => {
    const t = await makeBot({ now: '2026-11-30T09:10:00+08:00' });
    cleanups.push(() => t.close());
    const other = await otherInstance(t, cleanups);
    const chat = { platform: 'console', chatId: 'g-1', type: 'group' as const, title: '办公室群' };
    await t.bot.db.tx(() => t.bot.services.chats.seen(chat));
    const actor = systemActor('test');
    const [, second] = await race(
      t,
      () => t.bot.services.chats.enable(chat, ['公文'], actor),
      () => other.db.tx(() => other.services.chats.enable(chat, ['督办'], actor)),
    );
    expect(second).toEqual({ enabledGroups: ['公文', '督办'], subscriptions: [] });
    expect((await t.bot.services.chats.settings(chat)).enabledGroups).toEqual(['公文', '督办']);
  });

  it('make one person of an identity both meet for the first time (instances starting with the same ADMIN_IDS)', async () => {
    const t = await makeBot({ now: '2026-11-30T09:10:00+08:00' });
    cleanups.push(() => t.close());
    const other = await otherInstance(t, cleanups);
    const newcomer = { platform: 'lark', userId: 'ou_new_admin' };
    const [, second] = await race(
      t,
      () => t.bot.services.people.ensureAdmin(newcomer, undefined, systemActor('ADMIN_IDS')),
      () => other.db.tx(() => other.services.people.ensureAdmin(newcomer, undefined, systemActor('ADMIN_IDS'))),
    );
    expect(second).toBeUndefined();
    expect(await t.rows("SELECT p.role, count(*)::int AS n FROM identities i JOIN people p ON p.id = i.person_id WHERE i.user_id = 'ou_new_admin' GROUP BY p.role")).toEqual([{ role: 'admin', n: 1 }]);
    expect(await t.scalar<number>("SELECT count(*)::int FROM audit_log WHERE action = '授权' AND target = 'lark:ou_new_admin'")).toBe(1);
  });
});
