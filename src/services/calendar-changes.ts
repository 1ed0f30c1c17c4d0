// Changes to the working-day calendar and what follows from them. 节假日导入: a year's notice read,
// shown for confirmation (its days, each month's working days, what it changes), then made the
// year's calendar. 节假日设置: one day. After either, open items whose deadline was given in working
// days are counted again and the people who follow them told, each in one digest.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { lockName, LOCK_SPACES } from '../../db/locks';
import { calendarNotices, calendarOverrides, documents, proposals, proposalUnits, supervisionItems, supervisionUnits } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addDays, formatChineseDate, makeDate, yearOf, type LocalDate } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import type { Actor } from './actor';
import type { AuditService } from './audit';
import { addWorkdaysOn, coveredBy, type CalendarService, type Day } from './calendar';
import { subjectOf, type CardUpdatesService } from './card-updates';
import { UserError } from './errors';
import { readHolidayNotice, type NoticeHoliday } from './holiday-notice';
import type { NotifyService } from './notify';
import { latestAnswerDate } from './proposals';
import type { UnitsService } from './units';

export interface DayChange {
  date: LocalDate;
  before: Day;
  after: Day;
}

/** An open item whose deadline, counted in working days, falls elsewhere under the notice. */
export interface MovedDeadline {
  kind: '公文' | '督办' | '建议' | '提案';
  id: number;
  regNo: string;
  title: string;
  from: LocalDate;
  to: LocalDate;
  unitIds: number[];
  /** told besides the units' contacts: the registrar, and a 督办's instructing leader */
  followers: number[];
  /** why the new date is not the count's: a 答复期限 held at its statutory limit */
  note?: string;
}

export interface CalendarPreview {
  id: number;
  year: number;
  holidays: NoticeHoliday[];
  advisory: string[];
  /** working days in each month of the year, January first */
  months: number[];
  changes: DayChange[];
  /** 节假日设置 the notice replaces */
  overrides: { date: LocalDate; workday: boolean }[];
  moved: MovedDeadline[];
  /** the year had neither the package's data nor a notice */
  wasUnknown: boolean;
}

export interface CalendarAdopted {
  year: number;
  changes: number;
  moved: MovedDeadline[];
  /** people told of moved deadlines */
  told: number;
}

const EXAMPLE = '节假日导入 国务院办公厅关于2027年部分节假日安排的通知 …… 一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。……';

export function createCalendarChangesService(db: Db, clock: Clock, deps: { calendar: CalendarService; audit: AuditService; notify: NotifyService; units: UnitsService; cardUpdates: CardUpdatesService }) {
  const { calendar, audit, notify } = deps;

  /**
   * The dates a notice for a year can change: the year's, and December before it, where its own
   * 元旦 may begin and where the notice it replaces (or chinese-days) may have put days.
   */
  function affectedDates(year: number): LocalDate[] {
    const dates: LocalDate[] = [];
    for (let d = makeDate(year - 1, 12, 1)!; yearOf(d) <= year; d = addDays(d, 1)) dates.push(d);
    return dates;
  }

  /** Open items with a deadline counted in working days whose date the given calendar moves. */
  async function movedDeadlines(isWorkday: (d: LocalDate) => boolean): Promise<MovedDeadline[]> {
    type Counted = { id: number; regNo: string; title: string; due: LocalDate | null; n: number | null; from: LocalDate | null; createdBy: number | null; leader?: number | null; latest?: LocalDate };
    const moved = async (rows: (Counted & { kind: MovedDeadline['kind'] })[], unitsOf: (ids: number[]) => Promise<Map<number, number[]>>): Promise<MovedDeadline[]> => {
      const changed = rows
        .map((r) => {
          const counted = addWorkdaysOn(isWorkday, r.from!, r.n!);
          return r.latest && counted > r.latest ? { ...r, to: r.latest, note: '（答复期限最长为交办之日起六个月）' } : { ...r, to: counted };
        })
        .filter((r) => r.to !== r.due);
      const units = changed.length ? await unitsOf(changed.map((r) => r.id)) : new Map<number, number[]>();
      return changed.map((r) => ({ kind: r.kind, id: r.id, regNo: r.regNo, title: r.title, from: r.due!, to: r.to, unitIds: units.get(r.id) ?? [], followers: [r.createdBy, r.leader ?? null].filter((p): p is number => p !== null), ...('note' in r ? { note: r.note } : {}) }));
    };
    const byItem = (links: { item: number; unit: number }[]) => {
      const map = new Map<number, number[]>();
      for (const l of links) map.set(l.item, [...(map.get(l.item) ?? []), l.unit]);
      return map;
    };
    const docs = await db.q
      .select({ kind: sql<'公文'>`'公文'`, id: documents.id, regNo: documents.regNo, title: documents.title, due: documents.dueDate, n: documents.dueWorkdays, from: documents.dueCountedFrom, createdBy: documents.createdBy, unit: documents.handlingUnitId })
      .from(documents)
      .where(and(ne(documents.status, 'closed'), isNotNull(documents.dueWorkdays)))
      .orderBy(asc(documents.id));
    const items = await db.q
      .select({ kind: sql<'督办'>`'督办'`, id: supervisionItems.id, regNo: supervisionItems.regNo, title: supervisionItems.title, due: supervisionItems.deadline, n: supervisionItems.deadlineWorkdays, from: supervisionItems.deadlineCountedFrom, createdBy: supervisionItems.createdBy, leader: supervisionItems.leaderId })
      .from(supervisionItems)
      .where(and(ne(supervisionItems.status, 'closed'), isNotNull(supervisionItems.deadlineWorkdays)))
      .orderBy(asc(supervisionItems.id));
    const asked = (
      await db.q
        .select({ kind: proposals.kind, id: proposals.id, regNo: proposals.regNo, title: proposals.title, due: proposals.dueDate, n: proposals.dueWorkdays, from: proposals.dueCountedFrom, createdBy: proposals.createdBy, assigned: proposals.assignedDate })
        .from(proposals)
        .where(and(inArray(proposals.status, ['assigned', 'in_progress']), isNotNull(proposals.dueWorkdays)))
        .orderBy(asc(proposals.id))
    ).map((p) => ({ ...p, latest: latestAnswerDate(p.assigned) }));
    const docUnits = new Map(docs.map((d) => [d.id, d.unit === null ? [] : [d.unit]]));
    return [
      ...(await moved(docs, async () => docUnits)),
      ...(await moved(items, async (ids) => byItem(await db.q.select({ item: supervisionUnits.itemId, unit: supervisionUnits.unitId }).from(supervisionUnits).where(inArray(supervisionUnits.itemId, ids))))),
      ...(await moved(asked, async (ids) => byItem(await db.q.select({ item: proposalUnits.proposalId, unit: proposalUnits.unitId }).from(proposalUnits).where(inArray(proposalUnits.proposalId, ids))))),
    ];
  }

  async function preview(id: number, year: number, holidays: NoticeHoliday[], advisory: string[]): Promise<CalendarPreview> {
    const now = await calendar.current();
    const after = now.withNotice(year, holidays);
    const dates = affectedDates(year);
    const changes = dates.map((date) => ({ date, before: now.day(date), after: after(date) })).filter((c) => c.before.workday !== c.after.workday);
    const months = Array.from({ length: 12 }, () => 0);
    for (const d of dates) if (yearOf(d) === year && after(d).workday) months[Number(d.slice(5, 7)) - 1]!++;
    const covered = coveredBy({ year, holidays });
    return {
      id,
      year,
      holidays,
      advisory,
      months,
      changes,
      overrides: now.overrideList().filter((o) => covered(o.date)),
      moved: await movedDeadlines((d) => after(d).workday),
      wasUnknown: !now.knows(year),
    };
  }

  /** The digest each person following moved deadlines gets: their items, one message. */
  async function tell(why: string, dedupeKey: string, moved: MovedDeadline[]): Promise<number> {
    const lines = new Map<number, string[]>();
    const add = (personId: number, line: string) => lines.set(personId, [...(lines.get(personId) ?? []), line]);
    for (const m of moved) {
      const line = `${m.regNo} ${m.title}：${formatChineseDate(m.from)} → **${formatChineseDate(m.to)}**${m.note ?? ''}`;
      const people = new Set(m.followers);
      for (const u of m.unitIds) for (const c of await deps.units.contactsOf(u)) people.add(c.personId);
      for (const p of people) add(p, line);
    }
    let told = 0;
    for (const [personId, items] of lines) {
      const reply: Reply = card({ title: '办理时限调整', tone: 'warning', lines: [`因${why}，以下事项办理时限调整：`, ...items] });
      if (await notify.person(personId, reply, dedupeKey)) told++;
    }
    return told;
  }

  // A confirmation checks the notice and the calendar before it changes either: a second one at
  // the same moment (a double submit, another instance) waits for the first, then finds it confirmed
  // or the calendar moved.
  const lockCalendar = () => lockName(db, LOCK_SPACES.calendar, 'calendar');

  /**
   * Every open deadline given in working days counted again under the calendar now in force, the
   * ones that move updated (audited) and their people told. The caller holds the transaction.
   */
  async function recount(why: string, dedupeKey: string, actor: Actor): Promise<{ moved: MovedDeadline[]; told: number }> {
    const inForce = await calendar.current();
    const now = clock.now();
    // Each row is moved only if it is still as read: an item closed, or given a new deadline (an
    // approved extension), by a transaction that committed meanwhile is left as that one left it.
    // On PostgreSQL the update waits for such a transaction and then sees its work.
    const moved: MovedDeadline[] = [];
    for (const m of await movedDeadlines((d) => inForce.isWorkday(d))) {
      const changed =
        m.kind === '公文'
          ? await db.q.update(documents).set({ dueDate: m.to, updatedAt: now }).where(and(eq(documents.id, m.id), eq(documents.dueDate, m.from), isNotNull(documents.dueWorkdays), ne(documents.status, 'closed')))
          : m.kind === '督办'
            ? await db.q.update(supervisionItems).set({ deadline: m.to, updatedAt: now }).where(and(eq(supervisionItems.id, m.id), eq(supervisionItems.deadline, m.from), isNotNull(supervisionItems.deadlineWorkdays), ne(supervisionItems.status, 'closed')))
            : await db.q.update(proposals).set({ dueDate: m.to, updatedAt: now }).where(and(eq(proposals.id, m.id), eq(proposals.dueDate, m.from), isNotNull(proposals.dueWorkdays), inArray(proposals.status, ['assigned', 'in_progress'])));
      if (changedRows(changed) === 0) continue;
      await audit.record(actor, '办理时限随节假日调整', m.regNo, { due: m.from }, { due: m.to, why });
      await deps.cardUpdates.changed(subjectOf(m.kind, m.regNo));
      moved.push(m);
    }
    return { moved, told: await tell(why, dedupeKey, moved) };
  }

  return {
    /** Reads the notice and keeps it pending, in the caller's transaction; refuses a text it cannot read in full, keeping nothing. */
    async read(text: string, actor: Actor): Promise<CalendarPreview> {
      const reading = readHolidayNotice(text);
      if (!reading.ok) throw new UserError(`无法导入：${reading.error}。请粘贴国务院办公厅放假通知的全文，例如：${EXAMPLE}`);
      const { year, holidays, advisory } = reading.notice;
      const [row] = await db.q.insert(calendarNotices).values({ year, holidays, status: 'pending', createdBy: actor.personId, createdAt: clock.now() }).returning({ id: calendarNotices.id });
      return preview(row!.id, year, holidays, advisory);
    },

    /**
     * Makes a pending notice its year's calendar, recounts the open working-day deadlines under it
     * and tells their people. Refused when the calendar changed after the preview was shown, or a
     * newer preview of the year exists: the admin confirms what they saw. The caller holds the transaction.
     */
    async confirm(id: number, actor: Actor): Promise<CalendarAdopted> {
      await lockCalendar();
      const [row] = await db.q.select().from(calendarNotices).where(eq(calendarNotices.id, id)).limit(1);
      if (!row) throw new UserError(`没有编号为 ${id} 的节假日导入。请先发送「节假日导入」并粘贴通知全文。`);
      if (row.status === 'confirmed') throw new UserError(`${row.year}年节假日安排（导入 ${id}）已确认过，无需再次确认。`);
      if (row.status !== 'pending') throw new UserError(`导入 ${id} 已被之后的导入取代，无需再确认。`);
      const [newer] = await db.q
        .select({ id: calendarNotices.id })
        .from(calendarNotices)
        .where(and(eq(calendarNotices.year, row.year), gt(calendarNotices.id, id)))
        .orderBy(desc(calendarNotices.id))
        .limit(1);
      if (newer) throw new UserError(`${row.year}年之后又导入过一次（导入 ${newer.id}），请确认最新的那次。`);
      const [changedSince] = await db.q.select({ date: calendarOverrides.date }).from(calendarOverrides).where(gte(calendarOverrides.setAt, row.createdAt)).limit(1);
      if (changedSince) throw new UserError(`预览之后又有节假日设置（${changedSince.date}），请重新发送「节假日导入」核对。`);

      const changes = (await preview(id, row.year, row.holidays, [])).changes.length;
      const replaced = await calendar.adopt(id, row.year, row.holidays, actor);
      const { moved, told } = await recount(`${row.year}年节假日安排公布`, `calendar-notice:${id}`, actor);
      await audit.record(
        actor,
        '节假日导入',
        `${row.year}年`,
        { overrides: replaced },
        { notice: id, holidays: row.holidays.map((h) => ({ name: h.name, off: h.off, work: h.work })), changedDays: changes, movedDeadlines: moved.length },
      );
      return { year: row.year, changes, moved, told };
    },

    /** 节假日设置: one day made a working day or a day off, and the deadlines counted across it recounted. The caller holds the transaction. */
    async setDay(date: LocalDate, workday: boolean, actor: Actor): Promise<{ moved: MovedDeadline[]; told: number }> {
      // not while a confirmation checks that no day was set since its preview
      await lockCalendar();
      // (another 节假日设置 at the same moment waits at the calendar's version row, which
      // setOverride bumps before the recount reads the calendar: each recount sees the other's day)
      await calendar.setOverride(date, workday, actor);
      return recount(`${formatChineseDate(date)}调整为${workday ? '工作日' : '休息日'}`, `calendar-day:${date}:${workday}:${clock.now()}`, actor);
    },
  };
}

export type CalendarChangesService = ReturnType<typeof createCalendarChangesService>;
