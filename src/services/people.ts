import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { lockName, LOCK_SPACES } from '../../db/locks';
import { identities, people, unitContacts, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { recentKeys } from '../lib/recent-keys';
import { ROLE_LABELS, type Actor, type Role } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';

const SEEN_GRANULARITY_MS = 600_000;
// a name from a platform's directory is asked for again daily: a renamed person (or one who changed
// office and title in the name, as some directories have it) shows correctly the next day
const NAME_REFRESH_MS = 86_400_000;
// only the names of people seen within this long are kept current (the others are asked again when they come back)
const NAME_SEEN_WITHIN_MS = 30 * 86_400_000;
// a directory that would not say (no permission, someone outside its range) is asked again after this
const NAME_RETRY_MS = 3_600_000;

export interface Identity {
  platform: string;
  userId: string;
}

export interface PersonView {
  id: number;
  name: string;
  role: Role | null;
  unitId: number | null;
  unitName: string | null;
  identities: string[];
}

/** A person's other ids on the same platform, where it sends them (see identities in db/schema.ts). */
export interface OtherIds {
  unionId?: string | undefined;
  tenantUserId?: string | undefined;
}

export function identityKey(i: Identity): string {
  return `${i.platform}:${i.userId}`;
}

/** `lark:ou_x` or `@lark:ou_x` → identity; anything else → null. */
export function parseIdentity(text: string): Identity | null {
  const m = /^@?([a-z]+):(\S+)$/.exec(text.trim());
  return m ? { platform: m[1]!, userId: m[2]! } : null;
}

export function createPeopleService(db: Db, clock: Clock, audit: AuditService) {
  const recentlySeen = recentKeys(clock, SEEN_GRANULARITY_MS);
  async function identityRow(identity: Identity) {
    const [row] = await db.q
      .select({ person: people, unionId: identities.unionId, tenantUserId: identities.tenantUserId })
      .from(identities)
      .innerJoin(people, eq(people.id, identities.personId))
      .where(and(eq(identities.platform, identity.platform), eq(identities.userId, identity.userId)))
      .limit(1);
    return row;
  }

  async function findByIdentity(identity: Identity) {
    return (await identityRow(identity))?.person;
  }

  async function rename(personId: number, name: string, now: number): Promise<void> {
    await db.q.update(people).set({ name, updatedAt: now }).where(eq(people.id, personId));
  }

  // Two instances meeting a new person at once (starting together with the same ADMIN_IDS) would
  // both create them, or both grant the role: the second waits, then finds the first's work.
  // Held to the end of the transaction; taken again by the same transaction, it is already held.
  const lockIdentity = (identity: Identity) => lockName(db, LOCK_SPACES.identity, identityKey(identity));

  /** The person behind an identity, created (without a role) on first sight; the name kept current. In the caller's transaction. */
  async function ensure(identity: Identity, name?: string) {
    const now = clock.now();
    await lockIdentity(identity);
    const found = await findByIdentity(identity);
    if (found) {
      if (name && name !== found.name) await rename(found.id, name, now);
      return { ...found, name: name || found.name };
    }
    const [created] = await db.q.insert(people).values({ name: name ?? '', createdAt: now, updatedAt: now }).returning();
    await db.q.insert(identities).values({ platform: identity.platform, userId: identity.userId, personId: created!.id, lastSeenAt: now });
    return created!;
  }

  /** Several people as others see them, in the order asked, in three queries whatever their number. */
  async function views(personIds: number[]): Promise<PersonView[]> {
    if (!personIds.length) return [];
    const rows = await db.q
      .select({ person: people, unitName: units.name })
      .from(people)
      .leftJoin(units, eq(units.id, people.unitId))
      .where(inArray(people.id, personIds));
    // in one order on either dialect (PostgreSQL has no insertion order to fall back on)
    const keys = new Map<number, string[]>();
    for (const i of await db.q.select().from(identities).where(inArray(identities.personId, personIds)).orderBy(asc(identities.platform), asc(identities.userId))) {
      keys.set(i.personId, [...(keys.get(i.personId) ?? []), identityKey(i)]);
    }
    const byId = new Map(rows.map((r) => [r.person.id, r]));
    return personIds.map((id) => {
      const row = byId.get(id);
      if (!row) throw new Error(`person ${id} not found`);
      const p = row.person;
      return { id: p.id, name: p.name, role: p.role, unitId: p.unitId, unitName: row.unitName, identities: keys.get(id) ?? [] };
    });
  }

  async function view(personId: number): Promise<PersonView> {
    return (await views([personId]))[0]!;
  }

  /** No role, no unit, a contact of none: audited as 撤销授权. */
  async function clearRole(personId: number, target: Identity, actor: Actor): Promise<{ before: PersonView; after: PersonView }> {
    const before = await view(personId);
    await db.q.update(people).set({ role: null, unitId: null, updatedAt: clock.now() }).where(eq(people.id, personId));
    await db.q.delete(unitContacts).where(eq(unitContacts.personId, personId));
    const after = await view(personId);
    await audit.record(actor, '撤销授权', identityKey(target), summary(before), summary(after));
    return { before, after };
  }

  return {
    ensure,
    view,

    /**
     * The actor for a message: looks the sender up without creating anyone (unknown senders leave
     * no trace). Writes (last seen, a new name) in the caller's transaction.
     */
    async actorFor(identity: Identity & OtherIds, name: string | undefined, chat: string | null): Promise<Actor> {
      const row = await identityRow(identity);
      const p = row?.person;
      if (row) {
        // the person's other ids, kept once the platform sends them (or sends new ones)
        const other = { unionId: identity.unionId ?? row.unionId, tenantUserId: identity.tenantUserId ?? row.tenantUserId };
        if (other.unionId !== row.unionId || other.tenantUserId !== row.tenantUserId) {
          await db.q.update(identities).set(other).where(and(eq(identities.platform, identity.platform), eq(identities.userId, identity.userId)));
        }
      }
      if (p) {
        const now = clock.now();
        // where to reach someone needs the day, not the millisecond: written at most every ten minutes
        const key = identityKey(identity);
        if (!recentlySeen.has(key)) {
          await db.q
            .update(identities)
            .set({ lastSeenAt: now })
            .where(and(eq(identities.platform, identity.platform), eq(identities.userId, identity.userId), sql`coalesce(${identities.lastSeenAt}, 0) < ${now - SEEN_GRANULARITY_MS}`));
          db.afterCommit(() => recentlySeen.add(key));
        }
        if (name && name !== p.name) await rename(p.id, name, now);
      }
      return {
        personId: p?.id ?? null,
        identity: identityKey(identity),
        name: name || p?.name || '',
        role: p?.role ?? null,
        unitId: p?.unitId ?? null,
        chat,
      };
    },

    /** In the caller's transaction. */
    async grant(target: Identity, targetName: string | undefined, role: Role, unitId: number | null, actor: Actor): Promise<PersonView> {
      if (role === 'contact' && unitId === null) throw new UserError('授予「联络员」需要指定单位，例如：单位=县住建局');
      const person = await ensure(target, targetName);
      const before = await view(person.id);
      const newUnit = role === 'contact' ? unitId : null;
      await db.q.update(people).set({ role, unitId: newUnit, updatedAt: clock.now() }).where(eq(people.id, person.id));
      if (role === 'contact' && newUnit !== null) {
        await db.q.insert(unitContacts).values({ unitId: newUnit, personId: person.id }).onConflictDoNothing();
      }
      const after = await view(person.id);
      await audit.record(actor, '授权', identityKey(target), summary(before), summary(after));
      return after;
    },

    /** Makes sure the identity holds the admin role (ADMIN_IDS, the local console); audited only when it changes. In the caller's transaction. */
    async ensureAdmin(identity: Identity, name: string | undefined, actor: Actor): Promise<void> {
      await lockIdentity(identity);
      if ((await findByIdentity(identity))?.role !== 'admin') await this.grant(identity, name, 'admin', null, actor);
    },

    /** In the caller's transaction. */
    async revoke(target: Identity, actor: Actor): Promise<PersonView> {
      const person = await findByIdentity(target);
      if (!person || person.role === null) throw new UserError(`${identityKey(target)} 没有任何角色，无需撤销`);
      if (person.id === actor.personId && person.role === 'admin') throw new UserError('不能撤销自己的管理员角色，请由另一位管理员操作');
      return (await clearRole(person.id, target, actor)).after;
    },

    /**
     * Someone the platform's directory says has left: their role and every unit they were a contact
     * of end, audited as `actor` (the directory). Null for someone the bot never knew, or who held
     * nothing. In the caller's transaction.
     */
    async departed(target: Identity, actor: Actor): Promise<{ before: PersonView; unitIds: number[] } | null> {
      await lockIdentity(target);
      const person = await findByIdentity(target);
      if (!person) return null;
      const unitIds = (await db.q.select({ unitId: unitContacts.unitId }).from(unitContacts).where(eq(unitContacts.personId, person.id))).map((c) => c.unitId);
      if (person.role === null && unitIds.length === 0) return null;
      return { before: (await clearRole(person.id, target, actor)).before, unitIds };
    },

    /** Everyone holding a role, admins first. */
    async listWithRoles(): Promise<PersonView[]> {
      const rows = await db.q.select({ id: people.id }).from(people).where(inArray(people.role, ['admin', 'leader', 'staff', 'contact'])).orderBy(asc(people.id));
      const order: Role[] = ['admin', 'leader', 'staff', 'contact'];
      return (await views(rows.map((r) => r.id))).sort((a, b) => order.indexOf(a.role!) - order.indexOf(b.role!));
    },

    /** The people holding a role whose name is exactly this. */
    async withRoleNamed(role: Role, name: string): Promise<PersonView[]> {
      const rows = await db.q
        .select({ id: people.id })
        .from(people)
        .where(and(eq(people.role, role), eq(people.name, name)))
        .orderBy(asc(people.id));
      return views(rows.map((p) => p.id));
    },

    /** The name of the person behind an identity, where the bot knows them by name. */
    async nameOf(identity: Identity): Promise<string | null> {
      return (await findByIdentity(identity))?.name || null;
    },

    /** A person as others read them: the name, or for someone never seen by name, their platform id. */
    async displayName(personId: number): Promise<string> {
      const p = await view(personId);
      return p.name || p.identities[0] || `#${personId}`;
    },

    /** Who to ask for access, by name: told to everyone in a group, so never a platform id. */
    async adminNames(): Promise<string[]> {
      const rows = await db.q
        .select({ name: people.name })
        .from(people)
        .where(and(eq(people.role, 'admin'), isNotNull(people.name), ne(people.name, '')))
        .orderBy(asc(people.id));
      return rows.map((p) => p.name!);
    },

    /**
     * Identities on a platform, seen lately, to ask the platform's directory about: a person with no
     * name not asked within the hour, or a name not checked for NAME_REFRESH_MS (a day). What was asked is recorded (nameChecked), so the question is a short indexed read.
     */
    async namesToLookUp(platform: string, limit: number): Promise<Identity[]> {
      const now = clock.now();
      const checked = sql`coalesce(${identities.nameCheckedAt}, 0)`;
      return db.q
        .select({ platform: identities.platform, userId: identities.userId })
        .from(identities)
        .innerJoin(people, eq(people.id, identities.personId))
        .where(
          and(
            eq(identities.platform, platform),
            gt(identities.lastSeenAt, now - NAME_SEEN_WITHIN_MS),
            lt(checked, now - NAME_RETRY_MS),
            or(isNull(people.name), eq(people.name, ''), lt(checked, now - NAME_REFRESH_MS)),
          ),
        )
        .orderBy(desc(identities.lastSeenAt), asc(identities.userId))
        .limit(limit);
    },

    /** What the directory said: a name is kept; either way the identity is not asked again for a while. In the caller's transaction. */
    async nameChecked(identity: Identity, name: string | null): Promise<void> {
      const now = clock.now();
      await db.q.update(identities).set({ nameCheckedAt: now }).where(and(eq(identities.platform, identity.platform), eq(identities.userId, identity.userId)));
      if (!name) return;
      const p = await findByIdentity(identity);
      if (p && name !== p.name) await rename(p.id, name, now);
    },

    /** Where to reach a person (the identity they used most recently) and their role, in one read: notifications ask for both, for many people at once. */
    async reach(personId: number): Promise<{ identity: Identity; role: Role | null } | null> {
      const [row] = await db.q
        .select({ platform: identities.platform, userId: identities.userId, role: people.role })
        .from(identities)
        .innerJoin(people, eq(people.id, identities.personId))
        .where(eq(identities.personId, personId))
        // never seen last, as SQLite orders NULL by default and PostgreSQL must be told
        .orderBy(sql`${identities.lastSeenAt} DESC NULLS LAST`)
        .limit(1);
      return row ? { identity: { platform: row.platform, userId: row.userId }, role: row.role } : null;
    },
  };
}

function summary(p: PersonView) {
  return { name: p.name, role: p.role ? ROLE_LABELS[p.role] : null, unit: p.unitName };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
