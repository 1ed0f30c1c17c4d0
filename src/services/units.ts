import { distance } from 'fastest-levenshtein';
import { asc, eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { lockName, LOCK_SPACES } from '../../db/locks';
import { people, unitAliases, unitContacts, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import type { Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';
import type { Identity, PeopleService } from './people';

export interface UnitView {
  id: number;
  name: string;
  shortName: string | null;
  aliases: string[];
  contacts: { personId: number; name: string }[];
  /** the Feishu department 单位同步 matched it with */
  larkDepartmentId: string | null;
}

type UnitRow = typeof units.$inferSelect;

/** how many units a question lists when a name fits several */
const MAX_LISTED = 8;

/** 县住建局 → 住建局: the county, city or district a name starts with, which staff leave out. */
const unprefixed = (name: string) => name.replace(/^[县市区]/, '');

/** A unit's names, for matching what staff typed. */
const namesOf = (u: UnitRow, aliases: readonly string[]) => [u.name, ...(u.shortName ? [u.shortName] : []), ...aliases];

/** How the name of a unit ends: one ending so names a unit of its own, not a part of another's name. */
const UNIT_SUFFIX = /(局|委|办|院|所|站|队|中心|公司|厅|部|处|科|室|会|馆|校|镇|乡|街道|社区|村)$/;

export function createUnitsService(db: Db, clock: Clock, audit: AuditService, peopleService: PeopleService) {
  /** Contacts with their units (one unit's, or every unit's), each unit's in the order the people were first seen. */
  const contactRows = (unitId?: number) =>
    db.q
      .select({ unitId: unitContacts.unitId, personId: people.id, name: people.name })
      .from(unitContacts)
      .innerJoin(people, eq(people.id, unitContacts.personId))
      .where(unitId === undefined ? undefined : eq(unitContacts.unitId, unitId))
      .orderBy(asc(people.id));

  async function contactsOf(unitId: number): Promise<{ personId: number; name: string }[]> {
    return (await contactRows(unitId)).map(({ personId, name }) => ({ personId, name }));
  }

  async function aliasesOf(unitId: number): Promise<string[]> {
    const rows = await db.q.select({ alias: unitAliases.alias }).from(unitAliases).where(eq(unitAliases.unitId, unitId)).orderBy(asc(unitAliases.alias));
    return rows.map((a) => a.alias);
  }

  async function view(u: UnitRow, aliases?: string[]): Promise<UnitView> {
    return { id: u.id, name: u.name, shortName: u.shortName, aliases: aliases ?? (await aliasesOf(u.id)), contacts: await contactsOf(u.id), larkDepartmentId: u.larkDepartmentId };
  }

  /** The unit of this exact name, short name or alias: at most one, since 单位新增 and 单位设置 keep them apart. */
  async function named(name: string): Promise<UnitRow | undefined> {
    const [byName] = await db.q
      .select()
      .from(units)
      .where(or(eq(units.name, name), eq(units.shortName, name)))
      .limit(1);
    if (byName) return byName;
    const [byAlias] = await db.q.select({ unit: units }).from(unitAliases).innerJoin(units, eq(units.id, unitAliases.unitId)).where(eq(unitAliases.alias, name)).limit(1);
    return byAlias?.unit;
  }

  /**
   * Before a write that checks names are free: held to the transaction's end, so that another
   * instance's check waits for this one's names to be there (a name, short name and alias live in
   * two tables, and a short name has no unique index; units are added rarely, so one lock serves).
   */
  const lockUnitNames = () => lockName(db, LOCK_SPACES.unitNames, 'units');

  /** Every unit with its aliases, in two queries: for the lists, the looser matches and the suggestions. */
  async function everyUnit(): Promise<{ unit: UnitRow; aliases: string[] }[]> {
    const byUnit = new Map<number, string[]>();
    for (const a of await db.q.select().from(unitAliases).orderBy(asc(unitAliases.alias))) byUnit.set(a.unitId, [...(byUnit.get(a.unitId) ?? []), a.alias]);
    const rows = await db.q.select().from(units).orderBy(asc(units.id));
    return rows.map((unit) => ({ unit, aliases: byUnit.get(unit.id) ?? [] }));
  }

  /**
   * By name, short name or alias; else by either without its 县/市/区 (住建局 for 县住建局), else
   * by part of one (住建) — each only when exactly one unit fits. Several are listed for the
   * sender to choose; none gets the nearest names.
   */
  async function resolve(name: string): Promise<UnitView> {
    const exact = await named(name);
    if (exact) return view(exact);
    const all = (await everyUnit()).map(({ unit, aliases }) => ({ unit, names: namesOf(unit, aliases) }));
    const fitting = (fits: (unitName: string) => boolean) => all.filter((u) => u.names.some(fits)).map((u) => u.unit);
    // part of a name (住建) fits; a name complete in itself (公安局) is not read as part of a longer
    // one (县公安局交警大队): that would hand an item to a sub-unit without a word
    const fragment = name.length >= 2 && !UNIT_SUFFIX.test(name);
    const loose = [fitting((n) => unprefixed(n) === name), fitting((n) => fragment && n.includes(name))].find((found) => found.length > 0);
    if (loose?.length === 1) return view(loose[0]!);
    if (loose) {
      const listed = loose.slice(0, MAX_LISTED).map((u) => u.name).join('、');
      throw new UserError(`「${name}」可指：${listed}${loose.length > MAX_LISTED ? ` 等 ${loose.length} 个单位` : ''}，请写全称`);
    }
    const near = all
      .map(({ unit, names }) => ({ unit, d: Math.min(...names.map((n) => distance(name, n))) }))
      .filter(({ unit, d }) => d <= Math.max(2, Math.floor(name.length / 2)) || unit.name.includes(name) || name.includes(unit.name))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map(({ unit }) => unit.name);
    throw new UserError(
      `未找到单位「${name}」。${near.length ? `您是否要找：${near.join('、')}？` : ''}发送「单位列表」查看全部单位，管理员可用「单位新增」添加。`,
    );
  }

  return {
    contactsOf,

    /** In the caller's transaction. */
    async add(name: string, shortName: string | undefined, contact: { identity: Identity; name?: string } | undefined, actor: Actor): Promise<UnitView> {
      await lockUnitNames();
      const clash = (await named(name)) ?? (shortName ? await named(shortName) : undefined);
      if (clash) throw new UserError(`单位「${clash.name}」已存在（名称、简称或别名重复）`);
      const [unit] = await db.q.insert(units).values({ name, shortName: shortName ?? null, createdAt: clock.now() }).returning();
      await audit.record(actor, '单位新增', name, null, { name, shortName: shortName ?? null });
      if (contact) {
        const person = await peopleService.ensure(contact.identity, contact.name);
        await db.q.insert(unitContacts).values({ unitId: unit!.id, personId: person.id }).onConflictDoNothing();
        // DESIGN: a named contact without a role becomes that unit's 联络员
        if (person.role === null) await peopleService.grant(contact.identity, contact.name, 'contact', unit!.id, actor);
        else await audit.record(actor, '指定联络员', name, null, { person: person.name || contact.identity.userId });
      }
      return view(unit!);
    },

    /** Every unit, its aliases and contacts, in three queries whatever their number. */
    async list(): Promise<UnitView[]> {
      const contacts = new Map<number, { personId: number; name: string }[]>();
      for (const { unitId, ...c } of await contactRows()) contacts.set(unitId, [...(contacts.get(unitId) ?? []), c]);
      return (await everyUnit()).map(({ unit, aliases }) => ({ id: unit.id, name: unit.name, shortName: unit.shortName, aliases, contacts: contacts.get(unit.id) ?? [], larkDepartmentId: unit.larkDepartmentId }));
    },

    async get(id: number): Promise<UnitView | undefined> {
      const [u] = await db.q.select().from(units).where(eq(units.id, id)).limit(1);
      return u && view(u);
    },

    /** Every unit's name by its id, in one query: for showing the ids stored in records as names. */
    async names(): Promise<Map<number, string>> {
      return new Map((await db.q.select({ id: units.id, name: units.name }).from(units)).map((u) => [u.id, u.name]));
    },

    resolve,

    /** The unit stands for this Feishu department (单位同步); one unit per department. In the caller's transaction. */
    async linkDepartment(unitId: number, departmentId: string, actor: Actor): Promise<void> {
      await lockUnitNames();
      const [unit] = await db.q.select().from(units).where(eq(units.id, unitId)).limit(1);
      if (!unit || unit.larkDepartmentId === departmentId) return;
      await db.q.update(units).set({ larkDepartmentId: null }).where(eq(units.larkDepartmentId, departmentId));
      await db.q.update(units).set({ larkDepartmentId: departmentId }).where(eq(units.id, unitId));
      await audit.record(actor, '单位关联部门', unit.name, { larkDepartmentId: unit.larkDepartmentId }, { larkDepartmentId: departmentId });
    },

    /** 单位设置 别名=…: the unit's aliases become these (无 clears them); one taken by another unit is refused. In the caller's transaction. */
    async setAliases(unitName: string, aliases: readonly string[], actor: Actor): Promise<UnitView> {
      await lockUnitNames();
      const unit = await resolve(unitName);
      const wanted = [...new Set(aliases)].filter((a) => a !== unit.name && a !== unit.shortName);
      for (const alias of wanted) {
        const owner = await named(alias);
        if (owner && owner.id !== unit.id) throw new UserError(`「${alias}」已是 ${owner.name} 的名称、简称或别名，不能再作 ${unit.name} 的别名`);
      }
      await db.q.delete(unitAliases).where(eq(unitAliases.unitId, unit.id));
      if (wanted.length) await db.q.insert(unitAliases).values(wanted.map((alias) => ({ alias, unitId: unit.id })));
      const after = { ...unit, aliases: await aliasesOf(unit.id) };
      await audit.record(actor, '单位设置', unit.name, { aliases: unit.aliases }, { aliases: after.aliases });
      return after;
    },
  };
}

export type UnitsService = ReturnType<typeof createUnitsService>;
