import { distance } from 'fastest-levenshtein';
import { asc, eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { people, unitContacts, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import type { Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';
import type { Identity, PeopleService } from './people';

export interface UnitView {
  id: number;
  name: string;
  shortName: string | null;
  contacts: { personId: number; name: string }[];
}

export function createUnitsService(db: Db, clock: Clock, audit: AuditService, peopleService: PeopleService) {
  function contactsOf(unitId: number) {
    return db
      .select({ personId: people.id, name: people.name })
      .from(unitContacts)
      .innerJoin(people, eq(people.id, unitContacts.personId))
      .where(eq(unitContacts.unitId, unitId))
      .orderBy(asc(people.id))
      .all();
  }

  function view(u: typeof units.$inferSelect): UnitView {
    return { id: u.id, name: u.name, shortName: u.shortName, contacts: contactsOf(u.id) };
  }

  return {
    contactsOf,

    add(name: string, shortName: string | undefined, contact: { identity: Identity; name?: string } | undefined, actor: Actor): UnitView {
      const clash = db
        .select()
        .from(units)
        .where(or(eq(units.name, name), eq(units.shortName, name), ...(shortName ? [eq(units.name, shortName), eq(units.shortName, shortName)] : [])))
        .get();
      if (clash) throw new UserError(`单位「${clash.name}」已存在（名称或简称重复）`);
      const unit = db.insert(units).values({ name, shortName: shortName ?? null, createdAt: clock.now() }).returning().get();
      audit.record(actor, '单位新增', name, null, { name, shortName: shortName ?? null });
      if (contact) {
        const person = peopleService.ensure(contact.identity, contact.name);
        db.insert(unitContacts).values({ unitId: unit.id, personId: person.id }).onConflictDoNothing().run();
        // DESIGN: a named contact without a role becomes that unit's 联络员
        if (person.role === null) peopleService.grant(contact.identity, contact.name, 'contact', unit.id, actor);
        else audit.record(actor, '指定联络员', name, null, { person: person.name || contact.identity.userId });
      }
      return view(unit);
    },

    list(): UnitView[] {
      return db.select().from(units).orderBy(asc(units.id)).all().map(view);
    },

    get(id: number): UnitView | undefined {
      const u = db.select().from(units).where(eq(units.id, id)).get();
      return u && view(u);
    },

    /** By exact name or short name; otherwise a refusal that suggests the nearest names. */
    resolve(name: string): UnitView {
      const u = db.select().from(units).where(or(eq(units.name, name), eq(units.shortName, name))).get();
      if (u) return view(u);
      const all = db.select().from(units).all();
      const near = all
        .map((x) => ({ x, d: Math.min(distance(name, x.name), x.shortName ? distance(name, x.shortName) : Infinity) }))
        .filter(({ x, d }) => d <= Math.max(2, Math.floor(name.length / 2)) || x.name.includes(name) || name.includes(x.name))
        .sort((a, b) => a.d - b.d)
        .slice(0, 3)
        .map(({ x }) => x.name);
      throw new UserError(
        `未找到单位「${name}」。${near.length ? `您是否要找：${near.join('、')}？` : ''}发送「单位列表」查看全部单位，管理员可用「单位新增」添加。`,
      );
    },
  };
}

export type UnitsService = ReturnType<typeof createUnitsService>;
