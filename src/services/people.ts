import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { identities, people, unitContacts, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { ROLE_LABELS, type Actor, type Role } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';

const SEEN_GRANULARITY_MS = 600_000;
// a name from a platform's directory is asked for again after this long (people are renamed, rarely)
const NAME_REFRESH_MS = 30 * 86_400_000;
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

export function identityKey(i: Identity): string {
  return `${i.platform}:${i.userId}`;
}

/** `lark:ou_x` or `@lark:ou_x` → identity; anything else → null. */
export function parseIdentity(text: string): Identity | null {
  const m = /^@?([a-z]+):(\S+)$/.exec(text.trim());
  return m ? { platform: m[1]!, userId: m[2]! } : null;
}

export function createPeopleService(db: Db, clock: Clock, audit: AuditService) {
  // prepared once: every message looks its sender up
  const byIdentity = db
    .select({ person: people })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, sql.placeholder('platform')), eq(identities.userId, sql.placeholder('userId'))))
    .prepare();
  // where to reach someone needs the day, not the millisecond: written at most every ten minutes
  const seenNow = db
    .update(identities)
    .set({ lastSeenAt: sql<number>`${sql.placeholder('now')}` })
    .where(and(eq(identities.platform, sql.placeholder('platform')), eq(identities.userId, sql.placeholder('userId')), sql`coalesce(${identities.lastSeenAt}, 0) < ${sql.placeholder('staleBefore')}`))
    .prepare();

  function findByIdentity(identity: Identity) {
    return byIdentity.get({ platform: identity.platform, userId: identity.userId })?.person;
  }

  /** The person behind an identity, created (without a role) on first sight; the name kept current. */
  const reachOf = db
    .select({ platform: identities.platform, userId: identities.userId, role: people.role })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(eq(identities.personId, sql.placeholder('personId')))
    .orderBy(desc(identities.lastSeenAt))
    .limit(1)
    .prepare();

  function ensure(identity: Identity, name?: string) {
    const now = clock.now();
    const found = findByIdentity(identity);
    if (found) {
      if (name && name !== found.name) db.update(people).set({ name, updatedAt: now }).where(eq(people.id, found.id)).run();
      return { ...found, name: name || found.name };
    }
    const created = db.insert(people).values({ name: name ?? '', createdAt: now, updatedAt: now }).returning().get();
    db.insert(identities).values({ platform: identity.platform, userId: identity.userId, personId: created.id, lastSeenAt: now }).run();
    return created;
  }

  function view(personId: number): PersonView {
    const p = db.select().from(people).where(eq(people.id, personId)).get();
    if (!p) throw new Error(`person ${personId} not found`);
    const unit = p.unitId ? db.select().from(units).where(eq(units.id, p.unitId)).get() : undefined;
    const ids = db.select().from(identities).where(eq(identities.personId, personId)).all();
    return { id: p.id, name: p.name, role: p.role, unitId: p.unitId, unitName: unit?.name ?? null, identities: ids.map(identityKey) };
  }

  return {
    ensure,
    view,

    /** The actor for a message: looks the sender up without creating anyone (unknown senders leave no trace). */
    actorFor(identity: Identity, name: string | undefined, chat: string | null): Actor {
      const p = findByIdentity(identity);
      if (p) {
        seenNow.run({ platform: identity.platform, userId: identity.userId, now: clock.now(), staleBefore: clock.now() - SEEN_GRANULARITY_MS });
        if (name && name !== p.name) db.update(people).set({ name, updatedAt: clock.now() }).where(eq(people.id, p.id)).run();
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

    grant(target: Identity, targetName: string | undefined, role: Role, unitId: number | null, actor: Actor): PersonView {
      if (role === 'contact' && unitId === null) throw new UserError('授予「联络员」需要指定单位，例如：单位=县住建局');
      const person = ensure(target, targetName);
      const before = view(person.id);
      const newUnit = role === 'contact' ? unitId : null;
      db.update(people).set({ role, unitId: newUnit, updatedAt: clock.now() }).where(eq(people.id, person.id)).run();
      if (role === 'contact' && newUnit !== null) {
        db.insert(unitContacts).values({ unitId: newUnit, personId: person.id }).onConflictDoNothing().run();
      }
      const after = view(person.id);
      audit.record(actor, '授权', identityKey(target), summary(before), summary(after));
      return after;
    },

    /** Makes sure the identity holds the admin role (ADMIN_IDS, the local console); audited only when it changes. */
    ensureAdmin(identity: Identity, name: string | undefined, actor: Actor): void {
      if (findByIdentity(identity)?.role !== 'admin') this.grant(identity, name, 'admin', null, actor);
    },

    revoke(target: Identity, actor: Actor): PersonView {
      const person = findByIdentity(target);
      if (!person || person.role === null) throw new UserError(`${identityKey(target)} 没有任何角色，无需撤销`);
      if (person.id === actor.personId && person.role === 'admin') throw new UserError('不能撤销自己的管理员角色，请由另一位管理员操作');
      const before = view(person.id);
      db.update(people).set({ role: null, unitId: null, updatedAt: clock.now() }).where(eq(people.id, person.id)).run();
      db.delete(unitContacts).where(eq(unitContacts.personId, person.id)).run();
      const after = view(person.id);
      audit.record(actor, '撤销授权', identityKey(target), summary(before), summary(after));
      return after;
    },

    /** Everyone holding a role, admins first. */
    listWithRoles(): PersonView[] {
      const rows = db.select({ id: people.id }).from(people).where(inArray(people.role, ['admin', 'leader', 'staff', 'contact'])).orderBy(asc(people.id)).all();
      const order: Role[] = ['admin', 'leader', 'staff', 'contact'];
      return rows.map((r) => view(r.id)).sort((a, b) => order.indexOf(a.role!) - order.indexOf(b.role!));
    },

    /** The people holding a role whose name is exactly this. */
    withRoleNamed(role: Role, name: string): PersonView[] {
      return db
        .select({ id: people.id })
        .from(people)
        .where(and(eq(people.role, role), eq(people.name, name)))
        .all()
        .map((p) => view(p.id));
    },

    /** A person as others read them: the name, or for someone never seen by name, their platform id. */
    displayName(personId: number): string {
      const p = view(personId);
      return p.name || p.identities[0] || `#${personId}`;
    },

    /** Who to ask for access, by name: told to everyone in a group, so never a platform id. */
    adminNames(): string[] {
      return db
        .select({ name: people.name })
        .from(people)
        .where(and(eq(people.role, 'admin'), isNotNull(people.name), ne(people.name, '')))
        .orderBy(asc(people.id))
        .all()
        .map((p) => p.name!);
    },

    /**
     * Identities on a platform, seen lately, to ask the platform's directory about: a person with no
     * name not asked within the hour, or a name not checked for NAME_REFRESH_MS (people are renamed,
     * rarely). What was asked is recorded (nameChecked), so the question is a short indexed read.
     */
    namesToLookUp(platform: string, limit: number): Identity[] {
      const now = clock.now();
      const checked = sql`coalesce(${identities.nameCheckedAt}, 0)`;
      return db
        .select({ platform: identities.platform, userId: identities.userId })
        .from(identities)
        .innerJoin(people, eq(people.id, identities.personId))
        .where(
          and(
            eq(identities.platform, platform),
            gt(identities.lastSeenAt, now - NAME_REFRESH_MS),
            lt(checked, now - NAME_RETRY_MS),
            or(isNull(people.name), eq(people.name, ''), lt(checked, now - NAME_REFRESH_MS)),
          ),
        )
        .orderBy(desc(identities.lastSeenAt))
        .limit(limit)
        .all();
    },

    /** What the directory said: a name is kept; either way the identity is not asked again for a while. */
    nameChecked(identity: Identity, name: string | null): void {
      const now = clock.now();
      db.update(identities).set({ nameCheckedAt: now }).where(and(eq(identities.platform, identity.platform), eq(identities.userId, identity.userId))).run();
      if (!name) return;
      const p = findByIdentity(identity);
      if (p && name !== p.name) db.update(people).set({ name, updatedAt: now }).where(eq(people.id, p.id)).run();
    },

    /** Where to reach a person (the identity they used most recently) and their role, in one read: notifications ask for both, for many people at once. */
    reach(personId: number): { identity: Identity; role: Role | null } | null {
      const row = reachOf.get({ personId });
      return row ? { identity: { platform: row.platform, userId: row.userId }, role: row.role } : null;
    },
  };
}

function summary(p: PersonView) {
  return { name: p.name, role: p.role ? ROLE_LABELS[p.role] : null, unit: p.unitName };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
