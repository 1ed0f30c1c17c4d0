// 督查督办: leaders' instructions, meeting decisions, key tasks and listed problems, tracked from
// assignment through feedback ("件件有反馈") to closing ("件件有落实").
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { lockRows } from '../../db/locks';
import { people, supervisionExtensions, supervisionFeedback, supervisionItems, supervisionUnits, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { formatChineseDate, yearOf, type LocalDate, type WorkdayCount } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import { unitScope, type Actor } from './actor';
import type { AuditService } from './audit';
import type { CalendarService } from './calendar';
import type { CardUpdatesService } from './card-updates';
import { UserError } from './errors';
import type { NotifyService } from './notify';
import { parseRegNo, type Numbering } from './numbering';
import { byUrgency, nextFeedbackDue, OPEN, warningLevel, WARNING_LABELS, type FeedbackCycle, type Warning } from './supervision-rules';
import type { FileRecord, IntakeService } from './intake';
import type { PeopleService } from './people';
import type { UnitsService, UnitView } from './units';

export type Source = '领导批示' | '常务会议' | '重点工作' | '问题清单' | '未注明';
type ItemRow = typeof supervisionItems.$inferSelect;

export interface SupervisionInput {
  title: string;
  source: Source;
  leaderId: number | null;
  instruction?: string | undefined;
  leadUnit: string;
  coUnits: string[];
  deadline: LocalDate;
  /** when 时限 was given as N个工作日 */
  deadlineWorkdays?: WorkdayCount | null | undefined;
  cycle: FeedbackCycle;
}

export interface FeedbackView {
  author: string;
  at: number;
  date: LocalDate;
  text: string;
  /** proof sent with it (files and photos): what is kept of each, never its content */
  files: FileRecord[];
}

export interface ExtensionView {
  requester: string;
  requestedBy: number | null;
  oldDeadline: LocalDate;
  newDeadline: LocalDate;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  decisionReason: string | null;
}

export interface ItemView extends ItemRow {
  leaderName: string | null;
  leadUnitName: string;
  coUnitNames: string[];
  nextFeedbackDue: LocalDate;
  feedbackLate: boolean;
  warning: Warning;
}

export interface ItemDetail extends ItemView {
  feedback: FeedbackView[];
  extensions: ExtensionView[];
}

export interface ItemList {
  total: number;
  items: ItemView[];
}

const LIST_LIMIT = 10;
// a keyword or unit search ranks at most this many open items by urgency
const RANKED_CANDIDATES = 500;

export function createSupervisionService(
  db: Db,
  clock: Clock,
  deps: { audit: AuditService; numbering: Numbering; units: UnitsService; people: PeopleService; notify: NotifyService; cardUpdates: CardUpdatesService; calendar: CalendarService; proofs: IntakeService['ofFeedback']; today: () => LocalDate },
) {
  const { audit, numbering, notify, calendar } = deps;

  /** Views of several rows, one at a time (SQLite answers one query at a time anyway, and on PostgreSQL a list should not take several pooled connections at once), against one reading of the calendar. */
  async function toViews(rows: ItemRow[]): Promise<ItemView[]> {
    const today = deps.today();
    const workdays = await calendar.current();
    const views: ItemView[] = [];
    for (const row of rows) {
      const links = await db.q
        .select({ name: units.name, lead: supervisionUnits.lead })
        .from(supervisionUnits)
        .innerJoin(units, eq(units.id, supervisionUnits.unitId))
        .where(eq(supervisionUnits.itemId, row.id))
        .orderBy(desc(supervisionUnits.lead), asc(units.id));
      const due = nextFeedbackDue(row, (d) => workdays.nextWorkdayFrom(d));
      const feedbackLate = row.status !== 'closed' && today > due;
      views.push({
        ...row,
        leaderName: row.leaderId ? await deps.people.displayName(row.leaderId) : null,
        leadUnitName: links.find((l) => l.lead)?.name ?? '—',
        coUnitNames: links.filter((l) => !l.lead).map((l) => l.name),
        nextFeedbackDue: due,
        feedbackLate,
        warning: row.status === 'closed' ? 'green' : warningLevel(row, today, feedbackLate),
      });
    }
    return views;
  }

  async function toView(row: ItemRow): Promise<ItemView> {
    return (await toViews([row]))[0]!;
  }

  /** Items a contact may see: those their unit leads or helps with. */
  function scopeCondition(actor: Actor): SQL | undefined {
    const unitId = unitScope(actor);
    return unitId === null
      ? undefined
      : inArray(supervisionItems.id, db.q.select({ id: supervisionUnits.itemId }).from(supervisionUnits).where(eq(supervisionUnits.unitId, unitId)));
  }

  /** With `lock`, for a change of the item or its extension requests: waits for any change of the row under way elsewhere, so that the state checked is the state written over. */
  async function row(regNo: string, actor: Actor, { lock = false } = {}): Promise<ItemRow> {
    const parsed = parseRegNo(regNo, ['DB']);
    if (!parsed) throw new UserError(`「${regNo}」不是督办编号，编号形如 DB-2026-0001`);
    if (lock) await lockRows(db, supervisionItems, eq(supervisionItems.regNo, parsed.regNo));
    const [found] = await db.q.select().from(supervisionItems).where(and(eq(supervisionItems.regNo, parsed.regNo), scopeCondition(actor))).limit(1);
    if (!found) throw new UserError(`未找到督办件 ${parsed.regNo}${unitScope(actor) !== null ? '（或不属于您所在单位）' : ''}`);
    return found;
  }

  async function unitIdsOf(itemId: number, leadOnly = false): Promise<number[]> {
    const rows = await db.q
      .select({ id: supervisionUnits.unitId })
      .from(supervisionUnits)
      .where(and(eq(supervisionUnits.itemId, itemId), leadOnly ? eq(supervisionUnits.lead, true) : undefined));
    return rows.map((r) => r.id);
  }

  async function detail(item: ItemRow): Promise<ItemDetail> {
    const rows = await db.q
      // the person's name as known now: one who wrote before their name was looked up is not an id forever
      .select({ id: supervisionFeedback.id, author: sql<string>`coalesce(nullif(${people.name}, ''), ${supervisionFeedback.author})`, at: supervisionFeedback.at, date: supervisionFeedback.date, text: supervisionFeedback.text })
      .from(supervisionFeedback)
      .leftJoin(people, eq(people.id, supervisionFeedback.personId))
      .where(eq(supervisionFeedback.itemId, item.id))
      .orderBy(desc(supervisionFeedback.id));
    const proofs = await deps.proofs(rows.map((r) => r.id));
    const feedback = rows.map(({ id, ...f }) => ({ ...f, files: proofs.get(id) ?? [] }));
    const extensions = await db.q
      .select({
        requester: sql<string>`coalesce((SELECT nullif(${people.name}, '') FROM ${people} WHERE ${people.id} = ${supervisionExtensions.requestedBy}), ${supervisionExtensions.requester})`,
        requestedBy: supervisionExtensions.requestedBy,
        oldDeadline: supervisionExtensions.oldDeadline,
        newDeadline: supervisionExtensions.newDeadline,
        reason: supervisionExtensions.reason,
        status: supervisionExtensions.status,
        decisionReason: supervisionExtensions.decisionReason,
      })
      .from(supervisionExtensions)
      .where(eq(supervisionExtensions.itemId, item.id))
      .orderBy(desc(supervisionExtensions.id));
    return { ...(await toView(item)), feedback, extensions };
  }

  function snapshot(i: ItemRow) {
    return { status: i.status, deadline: i.deadline, lastFeedbackDate: i.lastFeedbackDate, closedDate: i.closedDate, closedOnTime: i.closedOnTime, result: i.result };
  }

  async function refresh(id: number): Promise<ItemRow> {
    const [found] = await db.q.select().from(supervisionItems).where(eq(supervisionItems.id, id)).limit(1);
    return found!;
  }

  async function tellUnits(unitIds: number[], reply: Reply, key: string): Promise<void> {
    const personIds: number[] = [];
    for (const unitId of unitIds) personIds.push(...(await deps.units.contactsOf(unitId)).map((c) => c.personId));
    await notify.people(personIds, reply, key);
  }

  /** The leaders an extension request goes to: the instructing leader, or every leader when none was named. */
  async function approvers(item: ItemRow): Promise<number[]> {
    if (item.leaderId) return [item.leaderId];
    return (await db.q.select({ id: people.id }).from(people).where(eq(people.role, 'leader'))).map((p) => p.id);
  }

  /** The pending extension request of an item, if any. */
  async function pendingExtension(itemId: number) {
    const [pending] = await db.q
      .select()
      .from(supervisionExtensions)
      .where(and(eq(supervisionExtensions.itemId, itemId), eq(supervisionExtensions.status, 'pending')))
      .limit(1);
    return pending;
  }

  async function count(condition: SQL | undefined): Promise<number> {
    const [counted] = await db.q.select({ n: sql<number>`count(*)` }).from(supervisionItems).where(condition);
    return counted!.n;
  }

  async function rankedList(where: SQL | undefined, actor: Actor): Promise<ItemList> {
    const condition = and(where, scopeCondition(actor));
    const total = await count(condition);
    const today = deps.today();
    const rows = await db.q
      .select()
      .from(supervisionItems)
      .where(condition)
      .orderBy(sql`${supervisionItems.status} = 'closed'`, asc(supervisionItems.deadline))
      .limit(RANKED_CANDIDATES);
    const views = await toViews(rows);
    const open = views.filter((v) => v.status !== 'closed').sort(byUrgency(today));
    const closed = views.filter((v) => v.status === 'closed');
    return { total, items: [...open, ...closed].slice(0, LIST_LIMIT) };
  }

  /** Title or instruction containing the text: LIKE on lower() of both, as SQLite's LIKE ignores ASCII case and PostgreSQL's does not. */
  function mentioning(query: string): SQL {
    const pattern = `%${query.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    return or(sql`lower(${supervisionItems.title}) LIKE lower(${pattern}) ESCAPE '\\'`, sql`lower(${supervisionItems.instruction}) LIKE lower(${pattern}) ESCAPE '\\'`)!;
  }

  return {
    get: async (regNo: string, actor: Actor): Promise<ItemDetail> => detail(await row(regNo, actor)),

    async create(input: SupervisionInput, actor: Actor): Promise<ItemDetail> {
      const today = deps.today();
      if (input.deadline < today) throw new UserError(`「时限」${input.deadline}（已经过去），应为今天（${today}）或以后的日期`);
      const lead = await deps.units.resolve(input.leadUnit);
      const co: UnitView[] = [];
      for (const name of input.coUnits) {
        const unit = await deps.units.resolve(name);
        if (unit.id !== lead.id) co.push(unit);
      }
      const { seq, regNo } = await numbering.next('DB', yearOf(today));
      const now = clock.now();
      const [item] = await db.q
        .insert(supervisionItems)
        .values({
          regNo,
          year: yearOf(today),
          seq,
          title: input.title,
          source: input.source,
          leaderId: input.leaderId,
          instruction: input.instruction ?? null,
          startDate: today,
          deadline: input.deadline,
          deadlineWorkdays: input.deadlineWorkdays?.count ?? null,
          deadlineCountedFrom: input.deadlineWorkdays?.from ?? null,
          feedbackCycle: input.cycle,
          status: 'assigned',
          createdBy: actor.personId,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await db.q
        .insert(supervisionUnits)
        .values([{ itemId: item!.id, unitId: lead.id, lead: true }, ...[...new Map(co.map((u) => [u.id, u])).values()].map((u) => ({ itemId: item!.id, unitId: u.id, lead: false }))]);
      const view = await detail(item!);
      await audit.record(actor, '督办新建', regNo, null, { title: item!.title, source: item!.source, leadUnit: view.leadUnitName, coUnits: view.coUnitNames, deadline: item!.deadline, cycle: item!.feedbackCycle });
      await tellUnits(await unitIdsOf(item!.id), assignmentNotice(view), `db-new:${regNo}`);
      return view;
    },

    /** The item a feedback entry belongs to, and its instructing leader: where its proof is shown. */
    async ofFeedback(feedbackId: number): Promise<{ regNo: string; leaderId: number | null } | undefined> {
      const [row] = await db.q
        .select({ regNo: supervisionItems.regNo, leaderId: supervisionItems.leaderId })
        .from(supervisionFeedback)
        .innerJoin(supervisionItems, eq(supervisionItems.id, supervisionFeedback.itemId))
        .where(eq(supervisionFeedback.id, feedbackId))
        .limit(1);
      return row;
    },

    async feedback(regNo: string, text: string, actor: Actor): Promise<ItemDetail> {
      const item = await row(regNo, actor, { lock: true });
      if (item.status === 'closed') throw new UserError(`${item.regNo} 已办结，不再接收反馈`);
      const today = deps.today();
      await db.q.insert(supervisionFeedback).values({ itemId: item.id, personId: actor.personId, author: actor.name || actor.identity, at: clock.now(), date: today, text });
      await db.q
        .update(supervisionItems)
        .set({ lastFeedbackDate: today, status: item.status === 'assigned' ? 'in_progress' : item.status, updatedAt: clock.now() })
        .where(eq(supervisionItems.id, item.id));
      const after = await refresh(item.id);
      await audit.record(actor, '督办反馈', item.regNo, snapshot(item), { ...snapshot(after), feedback: text });
      await deps.cardUpdates.changed(`supervision:${item.regNo}`);
      return detail(after);
    },

    /** By number; else by unit (lead or co-unit); else by keyword in the title or instruction. Ranked by urgency. */
    async find(query: string, actor: Actor): Promise<ItemList> {
      if (parseRegNo(query, ['DB'])) return { total: 1, items: [await toView(await row(query, actor))] };
      const unit = (await deps.units.list()).find((u) => u.name === query || u.shortName === query);
      if (unit) {
        return rankedList(inArray(supervisionItems.id, db.q.select({ id: supervisionUnits.itemId }).from(supervisionUnits).where(eq(supervisionUnits.unitId, unit.id))), actor);
      }
      return rankedList(mentioning(query), actor);
    },


    /** Open items past their deadline, most overdue first. */
    async overdue(actor: Actor): Promise<ItemList> {
      const condition = and(inArray(supervisionItems.status, OPEN), lt(supervisionItems.deadline, deps.today()), scopeCondition(actor));
      const total = await count(condition);
      const rows = await db.q.select().from(supervisionItems).where(condition).orderBy(asc(supervisionItems.deadline), asc(supervisionItems.id)).limit(LIST_LIMIT);
      return { total, items: await toViews(rows) };
    },

    /** The lead unit's contact (or staff) asks the instructing leader for a later deadline. */
    async requestExtension(regNo: string, newDeadline: LocalDate, reason: string, actor: Actor): Promise<ItemDetail> {
      const item = await row(regNo, actor, { lock: true });
      if (item.status === 'closed') throw new UserError(`${item.regNo} 已办结，无需延期`);
      const unitId = unitScope(actor);
      if (unitId !== null && !(await unitIdsOf(item.id, true)).includes(unitId)) throw new UserError(`只有牵头单位或办公室工作人员可以为 ${item.regNo} 申请延期`);
      if (newDeadline <= item.deadline) throw new UserError(`「新时限」${newDeadline} 应晚于现在的时限 ${item.deadline}`);
      const pending = await pendingExtension(item.id);
      if (pending) throw new UserError(`${item.regNo} 已有一项延期申请（至 ${pending.newDeadline}）等待领导审批`);
      const leaders = await approvers(item);
      if (leaders.length === 0) throw new UserError('还没有任何人员具有「领导」角色，无人可以审批延期。请管理员先授权领导。');
      await db.q
        .insert(supervisionExtensions)
        .values({ itemId: item.id, requestedBy: actor.personId, requester: actor.name || actor.identity, requestedAt: clock.now(), oldDeadline: item.deadline, newDeadline, reason, status: 'pending' });
      await audit.record(actor, '督办延期申请', item.regNo, { deadline: item.deadline }, { requested: newDeadline, reason });
      const view = await detail(item);
      await deps.cardUpdates.changed(`supervision:${item.regNo}`);
      await notify.people(leaders, extensionNotice(view, newDeadline, reason, actor), `db-extend:${item.regNo}:${newDeadline}:${clock.now()}`);
      return view;
    },

    /** A leader's decision on the pending extension request; the requester is told. */
    async decideExtension(regNo: string, approve: boolean, reason: string | undefined, actor: Actor): Promise<ItemDetail> {
      const item = await row(regNo, actor, { lock: true });
      const pending = await pendingExtension(item.id);
      if (!pending) throw new UserError(`${item.regNo} 没有等待审批的延期申请`);
      if (actor.role !== 'admin' && item.leaderId !== null && item.leaderId !== actor.personId) {
        const leader = (await toView(item)).leaderName;
        throw new UserError(`${item.regNo} 的延期由批示领导${leader ? ` ${leader} ` : ''}审批`);
      }
      const now = clock.now();
      await db.q
        .update(supervisionExtensions)
        .set({ status: approve ? 'approved' : 'rejected', decidedBy: actor.personId, decidedAt: now, decisionReason: reason ?? null })
        .where(eq(supervisionExtensions.id, pending.id));
      // the approved date is the deadline now, whatever the count it first came from
      if (approve) await db.q.update(supervisionItems).set({ deadline: pending.newDeadline, deadlineWorkdays: null, deadlineCountedFrom: null, updatedAt: now }).where(eq(supervisionItems.id, item.id));
      const after = await refresh(item.id);
      await audit.record(actor, approve ? '督办批准延期' : '督办驳回延期', item.regNo, { deadline: item.deadline }, { deadline: after.deadline, reason: reason ?? null });
      const view = await detail(after);
      await deps.cardUpdates.changed(`supervision:${item.regNo}`);
      if (pending.requestedBy) await notify.person(pending.requestedBy, decisionNotice(view, approve, pending.newDeadline, reason), `db-decision:${pending.id}`);
      return view;
    },

    async close(regNo: string, result: string | undefined, actor: Actor): Promise<ItemDetail> {
      const item = await row(regNo, actor, { lock: true });
      if (item.status === 'closed') throw new UserError(`${item.regNo} 已于 ${item.closedDate} 办结`);
      const [hasFeedback] = await db.q.select({ id: supervisionFeedback.id }).from(supervisionFeedback).where(eq(supervisionFeedback.itemId, item.id)).limit(1);
      if (!hasFeedback) throw new UserError(`${item.regNo} 还没有任何反馈，不能办结（件件有反馈）。请承办单位先发送「督办反馈 ${item.regNo} 内容」。`);
      const today = deps.today();
      const now = clock.now();
      await db.q
        .update(supervisionItems)
        .set({ status: 'closed', closedAt: now, closedDate: today, closedOnTime: today <= item.deadline, result: result ?? null, updatedAt: now })
        .where(eq(supervisionItems.id, item.id));
      const after = await refresh(item.id);
      await audit.record(actor, '督办办结', item.regNo, snapshot(item), snapshot(after));
      await deps.cardUpdates.changed(`supervision:${item.regNo}`);
      return detail(after);
    },
  };
}

function assignmentNotice(item: ItemView): Reply {
  return card({
    title: `新督办件：${item.regNo}`,
    about: `supervision:${item.regNo}`,
    tone: 'warning',
    lines: [`**${item.title}**`, ...(item.instruction ? [`批示：${item.instruction}`] : [])],
    fields: [
      ['来源', item.source],
      ['牵头单位', item.leadUnitName],
      ['配合单位', item.coUnitNames.join('、') || '—'],
      ['时限', formatChineseDate(item.deadline)],
      ['反馈周期', item.feedbackCycle],
      ['首次反馈', formatChineseDate(item.nextFeedbackDue)],
    ],
    actions: [{ label: '查看', command: `督办查询 ${item.regNo}` }],
  });
}

function extensionNotice(item: ItemView, newDeadline: LocalDate, reason: string, actor: Actor): Reply {
  return card({
    title: `延期申请：${item.regNo}`,
    about: `supervision:${item.regNo}`,
    tone: 'warning',
    lines: [`**${item.title}**`, `${actor.name || actor.identity} 申请把时限从 ${item.deadline} 延至 ${newDeadline}。`, `理由：${reason}`],
    fields: [
      ['牵头单位', item.leadUnitName],
      ['预警', WARNING_LABELS[item.warning]],
    ],
    actions: [
      { label: '批准', command: `督办批准 ${item.regNo}` },
      { label: '驳回', command: `督办驳回 ${item.regNo} 理由=请按原时限办结` },
    ],
  });
}

function decisionNotice(item: ItemView, approved: boolean, newDeadline: LocalDate, reason: string | undefined): Reply {
  return card({
    title: `延期${approved ? '已批准' : '未批准'}：${item.regNo}`,
    about: `supervision:${item.regNo}`,
    tone: approved ? 'success' : 'danger',
    lines: [`**${item.title}**`, approved ? `时限已延至 ${newDeadline}。` : `时限仍为 ${item.deadline}。`, ...(reason ? [`领导意见：${reason}`] : [])],
    actions: [{ label: '查看', command: `督办查询 ${item.regNo}` }],
  });
}

export type SupervisionService = ReturnType<typeof createSupervisionService>;
