// 建议提案: NPC deputies' suggestions (建议) and CPPCC members' proposals (提案), from assignment
// (交办) through the answer (答复, due within three months: 代表法 art. 51) to the proposer's
// evaluation; 不满意 sends an item back for a second round, keeping the first.
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { lockName, lockRows, LOCK_SPACES } from '../../db/locks';
import { proposalRounds, proposals, proposalUnits, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addMonths, yearOf, type LocalDate, type WorkdayCount } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import { unitScope, type Actor } from './actor';
import type { AuditService } from './audit';
import type { CardUpdatesService } from './card-updates';
import { UserError } from './errors';
import type { NotifyService } from './notify';
import { formatRegNo, parseRegNo } from './numbering';
import type { UnitsService, UnitView } from './units';

export type ProposalKind = '建议' | '提案';
export type Evaluation = '满意' | '基本满意' | '不满意';
export const KIND_PREFIX = { 建议: 'JY', 提案: 'TA' } as const;
export const PROPOSER_FIELD = { 建议: '代表', 提案: '委员' } as const;
/** An answer is due within this many months of assignment at the latest, whatever is configured. */
export const MAX_ANSWER_MONTHS = 6;

/** Registering an official number a second time; an import counts these as already there. */
export class AlreadyRegistered extends UserError {}

export interface ProposalSettings {
  answerMonths: number;
  redoMonths: number;
  answerClasses: string[];
}

export interface RegisterInput {
  kind: ProposalKind;
  number: number;
  title: string;
  proposers: string;
  leadUnit: string;
  coUnits: string[];
  assignedDate: LocalDate;
  dueDate?: LocalDate | undefined;
  /** when 答复期限 was given as N个工作日 */
  dueWorkdays?: WorkdayCount | null | undefined;
}

type Row = typeof proposals.$inferSelect;
export interface RoundView {
  round: number;
  dueDate: LocalDate;
  answerClass: string;
  answerDate: LocalDate;
  answerText: string | null;
  answeredOnTime: boolean;
  evaluation: string;
}
export interface ProposalView extends Row {
  leadUnitName: string;
  coUnitNames: string[];
  earlierRounds: RoundView[];
}

export interface ProposalList {
  total: number;
  items: ProposalView[];
}

export interface Rate {
  count: number;
  of: number;
}

export interface ProposalFigures {
  total: number;
  answered: number;
  /** first answers given by the due date, of the items answered or past due */
  onTime: Rate;
  /** 满意 or 基本满意, of the evaluated: the 满意率 offices report */
  satisfaction: Rate;
  satisfied: Rate;
  basicallySatisfied: Rate;
  unsatisfied: Rate;
}

export interface ProposalStats extends ProposalFigures {
  kind: ProposalKind;
  year: number;
  byStatus: Record<Row['status'], number>;
  byUnit: (ProposalFigures & { unit: string })[];
}

const LIST_LIMIT = 10;

/** The statutory limit of an answer: six months from assignment, whatever the 答复期限 typed. */
export function latestAnswerDate(assigned: LocalDate): LocalDate {
  return addMonths(assigned, MAX_ANSWER_MONTHS);
}

export function createProposalsService(
  db: Db,
  clock: Clock,
  settings: ProposalSettings,
  deps: { audit: AuditService; units: UnitsService; notify: NotifyService; cardUpdates: CardUpdatesService; today: () => LocalDate },
) {
  const { audit, notify } = deps;

  async function view(row: Row): Promise<ProposalView> {
    const links = await db.q
      .select({ name: units.name, lead: proposalUnits.lead })
      .from(proposalUnits)
      .innerJoin(units, eq(units.id, proposalUnits.unitId))
      .where(eq(proposalUnits.proposalId, row.id))
      .orderBy(sql`${proposalUnits.lead} DESC`, asc(units.id));
    const earlierRounds = await db.q
      .select({
        round: proposalRounds.round,
        dueDate: proposalRounds.dueDate,
        answerClass: proposalRounds.answerClass,
        answerDate: proposalRounds.answerDate,
        answerText: proposalRounds.answerText,
        answeredOnTime: proposalRounds.answeredOnTime,
        evaluation: proposalRounds.evaluation,
      })
      .from(proposalRounds)
      .where(eq(proposalRounds.proposalId, row.id))
      .orderBy(asc(proposalRounds.round));
    return { ...row, leadUnitName: links.find((l) => l.lead)?.name ?? '—', coUnitNames: links.filter((l) => !l.lead).map((l) => l.name), earlierRounds };
  }

  function unitCondition(unitId: number): SQL {
    return inArray(proposals.id, db.q.select({ id: proposalUnits.proposalId }).from(proposalUnits).where(eq(proposalUnits.unitId, unitId)));
  }

  function scopeCondition(actor: Actor): SQL | undefined {
    const unitId = unitScope(actor);
    return unitId === null ? undefined : unitCondition(unitId);
  }

  /** `12` (this year's no. 12), `JY-2026-012`, `jy2026012`; null when it is not a number. */
  function numberOf(kind: ProposalKind, ref: string): { year: number; number: number } | null {
    const text = ref.trim().replace(/^第/, '').replace(/号$/, '');
    if (/^\d{1,4}$/.test(text)) return { year: yearOf(deps.today()), number: Number(text) };
    const parsed = parseRegNo(ref, [KIND_PREFIX[kind]]);
    return parsed && { year: parsed.year, number: parsed.seq };
  }

  /** With `lock`, for a change of its state: waits for any change of the row under way elsewhere, so that the state checked is the state written over. */
  async function byNumber(kind: ProposalKind, ref: string, actor: Actor, { lock = false } = {}): Promise<Row> {
    const n = numberOf(kind, ref);
    if (!n) throw new UserError(`「${ref}」不是${kind}编号，可以写 12（今年第12号）或 ${formatRegNo(KIND_PREFIX[kind], yearOf(deps.today()), 12)}`);
    const regNo = formatRegNo(KIND_PREFIX[kind], n.year, n.number);
    if (lock) await lockRows(db, proposals, eq(proposals.regNo, regNo));
    const [found] = await db.q.select().from(proposals).where(and(eq(proposals.regNo, regNo), scopeCondition(actor))).limit(1);
    if (found) return found;
    const near = (
      await db.q
        .select({ regNo: proposals.regNo })
        .from(proposals)
        .where(and(eq(proposals.kind, kind), eq(proposals.year, n.year), sql`abs(${proposals.number} - ${n.number}) <= 2`, scopeCondition(actor)))
        .orderBy(sql`abs(${proposals.number} - ${n.number})`)
        .limit(3)
    ).map((r) => r.regNo);
    throw new UserError(`未找到${kind} ${regNo}${unitScope(actor) !== null ? '（或不属于您所在单位）' : ''}。${near.length ? `相近的编号：${near.join('、')}` : ''}`);
  }

  async function list(where: SQL | undefined, actor: Actor): Promise<ProposalList> {
    const condition = and(where, scopeCondition(actor));
    const [counted] = await db.q.select({ n: sql<number>`count(*)` }).from(proposals).where(condition);
    const rows = await db.q
      .select()
      .from(proposals)
      .where(condition)
      .orderBy(sql`${proposals.status} IN ('answered', 'evaluated')`, asc(proposals.dueDate), asc(proposals.number))
      .limit(LIST_LIMIT);
    const items: ProposalView[] = [];
    for (const r of rows) items.push(await view(r));
    return { total: counted!.n, items };
  }

  function snapshot(r: Row) {
    return {
      status: r.status,
      round: r.round,
      dueDate: r.dueDate,
      answerClass: r.answerClass,
      answerDate: r.answerDate,
      answeredOnTime: r.answeredOnTime,
      evaluation: r.evaluation,
    };
  }

  async function refresh(id: number): Promise<Row> {
    const [found] = await db.q.select().from(proposals).where(eq(proposals.id, id)).limit(1);
    return found!;
  }

  /** Whether the unit leads (主办) the item. */
  async function leads(proposalId: number, unitId: number): Promise<boolean> {
    const [link] = await db.q
      .select({ unitId: proposalUnits.unitId })
      .from(proposalUnits)
      .where(and(eq(proposalUnits.proposalId, proposalId), eq(proposalUnits.unitId, unitId), eq(proposalUnits.lead, true)))
      .limit(1);
    return link !== undefined;
  }

  function checkDueDate(assigned: LocalDate, due: LocalDate): void {
    const latest = latestAnswerDate(assigned);
    if (due > latest) throw new UserError(`「答复期限」${due} 超过了交办后六个月（${latest}），答复期限最长为交办之日起六个月`);
    if (due < assigned) throw new UserError(`「答复期限」${due} 早于交办日期 ${assigned}`);
  }

  /** Existing item with this official number, if any. */
  async function existing(kind: ProposalKind, year: number, number: number): Promise<Row | undefined> {
    const [found] = await db.q.select().from(proposals).where(eq(proposals.regNo, formatRegNo(KIND_PREFIX[kind], year, number))).limit(1);
    return found;
  }

  /** The sums every figure is made of, for a whole set or per group. */
  function sums() {
    const today = deps.today();
    const counting = (condition: SQL) => sql<number>`count(*) FILTER (WHERE ${condition})`;
    return {
      total: sql<number>`count(*)`,
      answered: counting(sql`${proposals.firstAnswerOnTime} IS NOT NULL`),
      onTime: counting(sql`${proposals.firstAnswerOnTime} = 1`),
      decided: counting(sql`${proposals.firstAnswerOnTime} IS NOT NULL OR ${proposals.dueDate} < ${today}`),
      satisfied: counting(sql`${proposals.evaluation} = '满意'`),
      basically: counting(sql`${proposals.evaluation} = '基本满意'`),
      unsatisfied: counting(sql`${proposals.evaluation} = '不满意'`),
    };
  }

  function figures(r: { total: number; answered: number; onTime: number; decided: number; satisfied: number; basically: number; unsatisfied: number }): ProposalFigures {
    const evaluated = r.satisfied + r.basically + r.unsatisfied;
    return {
      total: r.total,
      answered: r.answered,
      onTime: { count: r.onTime, of: r.decided },
      satisfaction: { count: r.satisfied + r.basically, of: evaluated },
      satisfied: { count: r.satisfied, of: evaluated },
      basicallySatisfied: { count: r.basically, of: evaluated },
      unsatisfied: { count: r.unsatisfied, of: evaluated },
    };
  }

  return {
    answerClasses: settings.answerClasses,

    get: async (kind: ProposalKind, ref: string, actor: Actor): Promise<ProposalView> => view(await byNumber(kind, ref, actor)),

    /**
     * Registers one; refuses an official number already registered for that year. An import
     * passes its own unit lookup (resolved once per name for the whole file) and notifies later.
     */
    async register(input: RegisterInput, actor: Actor, options: { notify?: boolean; resolveUnit?: (name: string) => UnitView | Promise<UnitView> } = {}): Promise<ProposalView> {
      const resolveUnit = options.resolveUnit ?? ((name: string) => deps.units.resolve(name));
      const year = yearOf(input.assignedDate);
      // two instances registering one number at once: the second waits, then finds the first's
      await lockName(db, LOCK_SPACES.proposalNumber, `${input.kind}:${year}:${input.number}`);
      const clash = await existing(input.kind, year, input.number);
      if (clash) throw new AlreadyRegistered(`${input.kind}编号 ${input.number}（${year}年）已登记为 ${clash.regNo}`);
      if (input.number < 1) throw new UserError('「编号」应为正整数，例如 12');
      const dueDate = input.dueDate ?? addMonths(input.assignedDate, settings.answerMonths);
      checkDueDate(input.assignedDate, dueDate);
      const lead = await resolveUnit(input.leadUnit);
      const coById = new Map<number, UnitView>();
      for (const name of input.coUnits) {
        const unit = await resolveUnit(name);
        if (unit.id !== lead.id && !coById.has(unit.id)) coById.set(unit.id, unit);
      }
      const co = [...coById.values()];
      const regNo = formatRegNo(KIND_PREFIX[input.kind], year, input.number);
      const now = clock.now();
      const [row] = await db.q
        .insert(proposals)
        .values({
          regNo,
          kind: input.kind,
          year,
          number: input.number,
          title: input.title,
          proposers: input.proposers,
          assignedDate: input.assignedDate,
          dueDate,
          dueWorkdays: input.dueDate ? (input.dueWorkdays?.count ?? null) : null,
          dueCountedFrom: input.dueDate ? (input.dueWorkdays?.from ?? null) : null,
          status: 'assigned',
          createdBy: actor.personId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await db.q.insert(proposalUnits).values([{ proposalId: row!.id, unitId: lead.id, lead: true }, ...co.map((u) => ({ proposalId: row!.id, unitId: u.id, lead: false }))]);
      // a new item's view is known without reading it back
      const v: ProposalView = { ...row!, leadUnitName: lead.name, coUnitNames: co.map((u) => u.name), earlierRounds: [] };
      await audit.record(actor, `${input.kind}登记`, regNo, null, { title: v.title, proposers: v.proposers, leadUnit: v.leadUnitName, coUnits: v.coUnitNames, dueDate });
      if (options.notify !== false) {
        await notify.people(lead.contacts.map((c) => c.personId), assignmentNotice(v, true), `proposal-assign:${regNo}:lead`);
        await notify.people(co.flatMap((u) => u.contacts.map((c) => c.personId)), assignmentNotice(v, false), `proposal-assign:${regNo}:co`);
      }
      return v;
    },

    /** After a bulk import: one message per unit contact listing all their new items, not one per item. */
    async announce(items: ProposalView[], batch: string): Promise<number> {
      const byPerson = new Map<number, string[]>();
      // a file names the same few dozen units thousands of times
      const contacts = new Map<number, { personId: number }[]>();
      const contactsOf = async (unitId: number) => contacts.get(unitId) ?? contacts.set(unitId, await deps.units.contactsOf(unitId)).get(unitId)!;
      for (const p of items) {
        const links = await db.q.select({ unitId: proposalUnits.unitId, lead: proposalUnits.lead }).from(proposalUnits).where(eq(proposalUnits.proposalId, p.id));
        for (const u of links) {
          const line = `${p.regNo}（${u.lead ? '主办' : '协办'}）${p.title}｜答复期限 ${p.dueDate}`;
          for (const c of await contactsOf(u.unitId)) {
            const lines = byPerson.get(c.personId);
            if (lines) lines.push(line);
            else byPerson.set(c.personId, [line]);
          }
        }
      }
      for (const [personId, lines] of byPerson) {
        await notify.person(personId, card({ title: `新交办建议提案 ${lines.length} 件`, tone: 'warning', lines: lines.slice(0, 30).concat(lines.length > 30 ? [`……共 ${lines.length} 件，发送「建议查询 本单位名称」查看`] : []) }), `proposal-import:${batch}`);
      }
      return byPerson.size;
    },

    /** By number; else by proposer's name, unit or keyword; open ones first, nearest due date first. */
    async find(kind: ProposalKind, query: string, actor: Actor): Promise<ProposalList> {
      if (numberOf(kind, query)) return { total: 1, items: [await view(await byNumber(kind, query, actor))] };
      const unit = (await deps.units.list()).find((u) => u.name === query || u.shortName === query);
      const ofKind = eq(proposals.kind, kind);
      if (unit) return list(and(ofKind, unitCondition(unit.id)), actor);
      // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
      const pattern = `%${query.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      return list(and(ofKind, or(sql`lower(${proposals.proposers}) LIKE lower(${pattern}) ESCAPE '\\'`, sql`lower(${proposals.title}) LIKE lower(${pattern}) ESCAPE '\\'`)), actor);
    },

    async answer(kind: ProposalKind, ref: string, answer: { answerClass: string; date: LocalDate; text?: string | undefined }, actor: Actor): Promise<ProposalView> {
      const row = await byNumber(kind, ref, actor, { lock: true });
      const unitId = unitScope(actor);
      if (unitId !== null && !(await leads(row.id, unitId))) {
        throw new UserError(`${row.regNo} 由主办单位 ${(await view(row)).leadUnitName} 答复，协办单位请把意见交主办单位`);
      }
      if (row.status === 'answered' || row.status === 'evaluated') throw new UserError(`${row.regNo} 已于 ${row.answerDate} 答复（${row.answerClass}类），等待${row.status === 'answered' ? '评价' : '处理'}`);
      if (!settings.answerClasses.includes(answer.answerClass)) throw new UserError(`「类别」应为 ${settings.answerClasses.join('/')} 之一`);
      if (answer.date < row.assignedDate) throw new UserError(`「答复日期」${answer.date} 早于交办日期 ${row.assignedDate}`);
      if (answer.date > deps.today()) throw new UserError(`「答复日期」${answer.date} 还没到，请填写实际答复的日期`);
      const onTime = answer.date <= row.dueDate;
      await db.q
        .update(proposals)
        .set({
          status: 'answered',
          answerClass: answer.answerClass,
          answerDate: answer.date,
          answerText: answer.text ?? null,
          answeredOnTime: onTime,
          firstAnswerOnTime: row.round === 1 ? onTime : row.firstAnswerOnTime,
          updatedAt: clock.now(),
        })
        .where(eq(proposals.id, row.id));
      const after = await refresh(row.id);
      await audit.record(actor, `${kind}答复`, row.regNo, snapshot(row), snapshot(after));
      await deps.cardUpdates.changed(`proposal:${row.regNo}`);
      return view(after);
    },

    /** The proposer's evaluation; 不满意 reopens the item for a new round with a new due date. */
    async evaluate(kind: ProposalKind, ref: string, evaluation: Evaluation, actor: Actor): Promise<ProposalView> {
      const row = await byNumber(kind, ref, actor, { lock: true });
      if (row.status !== 'answered') {
        throw new UserError(row.status === 'evaluated' ? `${row.regNo} 已评价为「${row.evaluation}」` : `${row.regNo} 还没有答复，无可评价。答复后再评价。`);
      }
      const today = deps.today();
      const now = clock.now();
      if (evaluation === '不满意') {
        await db.q.insert(proposalRounds).values({
          proposalId: row.id,
          round: row.round,
          dueDate: row.dueDate,
          answerClass: row.answerClass!,
          answerDate: row.answerDate!,
          answerText: row.answerText,
          answeredOnTime: row.answeredOnTime!,
          evaluation,
          evaluatedDate: today,
        });
        await db.q
          .update(proposals)
          .set({
            status: 'in_progress',
            round: row.round + 1,
            dueDate: addMonths(today, settings.redoMonths),
            dueWorkdays: null,
            dueCountedFrom: null,
            answerClass: null,
            answerDate: null,
            answerText: null,
            answeredOnTime: null,
            evaluation,
            evaluatedDate: today,
            updatedAt: now,
          })
          .where(eq(proposals.id, row.id));
      } else {
        await db.q.update(proposals).set({ status: 'evaluated', evaluation, evaluatedDate: today, updatedAt: now }).where(eq(proposals.id, row.id));
      }
      const after = await refresh(row.id);
      await audit.record(actor, `${kind}评价`, row.regNo, snapshot(row), snapshot(after));
      await deps.cardUpdates.changed(`proposal:${row.regNo}`);
      if (evaluation === '不满意') {
        const v = await view(after);
        const [lead] = await db.q.select({ unitId: proposalUnits.unitId }).from(proposalUnits).where(and(eq(proposalUnits.proposalId, row.id), eq(proposalUnits.lead, true))).limit(1);
        await notify.people((await deps.units.contactsOf(lead!.unitId)).map((c) => c.personId), redoNotice(v), `proposal-redo:${row.regNo}:${after.round}`);
        return v;
      }
      return view(after);
    },

    /** One year's figures, by status and by lead unit; a contact sees only their unit's items. */
    async stats(kind: ProposalKind, year: number, actor: Actor): Promise<ProposalStats> {
      const base = and(eq(proposals.kind, kind), eq(proposals.year, year), scopeCondition(actor));
      const byStatus = { assigned: 0, in_progress: 0, answered: 0, evaluated: 0 };
      for (const r of await db.q.select({ status: proposals.status, n: sql<number>`count(*)` }).from(proposals).where(base).groupBy(proposals.status)) byStatus[r.status] = r.n;
      // one pass grouped by lead unit, not one query per unit
      const byUnit = await db.q
        .select({ unitId: units.id, unit: units.name, ...sums() })
        .from(proposals)
        .innerJoin(proposalUnits, and(eq(proposalUnits.proposalId, proposals.id), eq(proposalUnits.lead, true)))
        .innerJoin(units, eq(units.id, proposalUnits.unitId))
        .where(base)
        .groupBy(units.id, units.name)
        .orderBy(asc(units.id));
      const [all] = await db.q.select(sums()).from(proposals).where(base);
      return {
        kind,
        year,
        ...figures(all!),
        byStatus,
        byUnit: byUnit.map((u) => ({ unit: u.unit, ...figures(u) })),
      };
    },
  };
}

function assignmentNotice(p: ProposalView, lead: boolean): Reply {
  return card({
    title: `${p.kind}交办：${p.regNo}（${lead ? '主办' : '协办'}）`,
    about: `proposal:${p.regNo}`,
    tone: 'warning',
    lines: [`**${p.title}**`],
    fields: [
      [p.kind === '建议' ? '代表' : '委员', p.proposers],
      ['主办单位', p.leadUnitName],
      ['协办单位', p.coUnitNames.join('、') || '—'],
      ['答复期限', p.dueDate],
    ],
    actions: [{ label: '查看', command: `${p.kind}查询 ${p.regNo}` }],
  });
}

function redoNotice(p: ProposalView): Reply {
  return card({
    title: `${p.kind}重新办理：${p.regNo}`,
    about: `proposal:${p.regNo}`,
    tone: 'danger',
    lines: [`**${p.title}**`, `${p.kind === '建议' ? '代表' : '委员'}对答复不满意，请重新办理并再次答复。`],
    fields: [['新的答复期限', p.dueDate]],
    actions: [{ label: '查看', command: `${p.kind}查询 ${p.regNo}` }],
  });
}

export type ProposalsService = ReturnType<typeof createProposalsService>;
