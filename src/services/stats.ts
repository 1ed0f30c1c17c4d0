// The office's figures for a period — a Monday–Sunday week or a calendar year in BOT_TIMEZONE —
// each with the previous period's beside it: what 本周统计, 年度统计 and the Monday report show.
import { and, eq, lte, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { documents, proposals, proposalUnits, supervisionFeedback, supervisionItems, supervisionUnits, units } from '../../db/schema';
import { addDays, isoWeekday, type LocalDate } from '../lib/dates';
import { unitScope, type Actor } from './actor';
import type { Rate } from './proposals';

export interface Period {
  kind: 'week' | 'year';
  from: LocalDate;
  to: LocalDate;
  label: string;
}

export type Urgency = '特急' | '加急' | '平件';

export interface Figures {
  documents: {
    received: number;
    receivedBy: Record<Urgency, number>;
    issued: number;
    issuedBy: Record<Urgency, number>;
    closed: number;
    /** closed within their time limit, of those closed that had one */
    closedOnTime: Rate;
    /** urgent (特急/加急) ones handed to a unit on the day they arrived, of those received */
    urgentAtOnce: Rate;
    /** working days from arrival to closing, over those closed; null when none */
    averageWorkdays: number | null;
  };
  supervision: {
    created: number;
    leaderInstructions: number;
    /** created without a source or a leader named: counted apart, never as 领导批示 */
    sourceUnstated: number;
    closed: number;
    closedOnTime: Rate;
    feedbackEntries: number;
    /** open and past the deadline at the period's end */
    overdue: number;
  };
  proposals: {
    assigned: number;
    /** first answers given in the period */
    answered: number;
    /**
     * first answers given by their due date ÷ items whose answer was decided in the period: answered
     * on time then, or due then and late (answered late since, or not at all: late, not left out)
     */
    answeredOnTime: Rate;
    evaluated: number;
    /** 满意 or 基本满意 ÷ evaluations made in the period: the 满意率 offices report */
    satisfaction: Rate;
    /** 满意 alone, of the same */
    satisfied: Rate;
    basicallySatisfied: Rate;
  };
}

export interface Report {
  period: Period;
  previous: Period;
  current: Figures;
  before: Figures;
}

export function weekOf(date: LocalDate): Period {
  const from = addDays(date, 1 - isoWeekday(date));
  return { kind: 'week', from, to: addDays(from, 6), label: `${from} 至 ${addDays(from, 6)}` };
}

export function yearPeriod(year: number): Period {
  return { kind: 'year', from: `${year}-01-01`, to: `${year}-12-31`, label: `${year}年` };
}

function previousOf(p: Period): Period {
  if (p.kind === 'week') return weekOf(addDays(p.from, -7));
  return yearPeriod(Number(p.from.slice(0, 4)) - 1);
}

const URGENCIES: Urgency[] = ['特急', '加急', '平件'];
const rate = (count: number, of: number): Rate => ({ count, of });
/** How many rows a condition holds for: a comparison is a boolean in PostgreSQL, which sum() does not take. */
const countWhere = (condition: SQL) => sql<number>`count(CASE WHEN ${condition} THEN 1 END)`;
const count = () => sql<number>`count(*)`;

export function createStatsService(db: Db, deps: { today: () => LocalDate }) {
  const between = (column: SQLWrapper, p: Period) => sql`${column} BETWEEN ${p.from} AND ${p.to}`;

  async function documentFigures(p: Period, unitId: number | null): Promise<Figures['documents']> {
    const scope = unitId === null ? undefined : eq(documents.handlingUnitId, unitId);
    const byUrgency = async (direction: 'in' | 'out') => {
      const out = { 特急: 0, 加急: 0, 平件: 0 } as Record<Urgency, number>;
      const rows = await db.q
        .select({ urgency: documents.urgency, n: count() })
        .from(documents)
        .where(and(eq(documents.direction, direction), between(documents.docDate, p), scope))
        .groupBy(documents.urgency);
      for (const r of rows) out[r.urgency] = r.n;
      return out;
    };
    const receivedBy = await byUrgency('in');
    const issuedBy = await byUrgency('out');
    const [closedRow] = await db.q
      .select({
        closed: count(),
        withLimit: countWhere(sql`${documents.closedOnTime} IS NOT NULL`),
        onTime: countWhere(sql`${documents.closedOnTime} = 1`),
        averageWorkdays: sql<number | null>`avg(${documents.handlingWorkdays})`,
      })
      .from(documents)
      .where(and(eq(documents.status, 'closed'), between(documents.closedDate, p), scope));
    const [urgent] = await db.q
      .select({ n: count(), atOnce: countWhere(sql`${documents.assignedDate} <= ${documents.docDate}`) })
      .from(documents)
      .where(and(eq(documents.direction, 'in'), ne(documents.urgency, '平件'), between(documents.docDate, p), scope));
    return {
      received: URGENCIES.reduce((s, u) => s + receivedBy[u], 0),
      receivedBy,
      issued: URGENCIES.reduce((s, u) => s + issuedBy[u], 0),
      issuedBy,
      closed: closedRow!.closed,
      closedOnTime: rate(closedRow!.onTime, closedRow!.withLimit),
      urgentAtOnce: rate(urgent!.atOnce, urgent!.n),
      averageWorkdays: closedRow!.averageWorkdays === null ? null : Math.round(closedRow!.averageWorkdays * 10) / 10,
    };
  }

  async function supervisionFigures(p: Period, unitId: number | null): Promise<Figures['supervision']> {
    const scope =
      unitId === null
        ? undefined
        : sql`${supervisionItems.id} IN (SELECT ${supervisionUnits.itemId} FROM ${supervisionUnits} WHERE ${supervisionUnits.unitId} = ${unitId})`;
    const [created] = await db.q
      .select({ n: count(), leader: countWhere(sql`${supervisionItems.source} = '领导批示'`), unstated: countWhere(sql`${supervisionItems.source} = '未注明'`) })
      .from(supervisionItems)
      .where(and(between(supervisionItems.startDate, p), scope));
    const [closed] = await db.q
      .select({ n: count(), onTime: countWhere(sql`${supervisionItems.closedOnTime} = 1`) })
      .from(supervisionItems)
      .where(and(eq(supervisionItems.status, 'closed'), between(supervisionItems.closedDate, p), scope));
    const [feedback] = await db.q
      .select({ n: count() })
      .from(supervisionFeedback)
      .innerJoin(supervisionItems, eq(supervisionItems.id, supervisionFeedback.itemId))
      .where(and(between(supervisionFeedback.date, p), scope));
    // open at the period's end (or today, for the running period) and past its deadline then
    const asOf = p.to < deps.today() ? p.to : deps.today();
    const [overdue] = await db.q
      .select({ n: count() })
      .from(supervisionItems)
      .where(and(sql`${supervisionItems.deadline} < ${asOf}`, lte(supervisionItems.startDate, asOf), sql`(${supervisionItems.status} <> 'closed' OR ${supervisionItems.closedDate} > ${asOf})`, scope));
    return { created: created!.n, leaderInstructions: created!.leader, sourceUnstated: created!.unstated, closed: closed!.n, closedOnTime: rate(closed!.onTime, closed!.n), feedbackEntries: feedback!.n, overdue: overdue!.n };
  }

  async function proposalFigures(p: Period, unitId: number | null): Promise<Figures['proposals']> {
    const scope =
      unitId === null ? undefined : sql`${proposals.id} IN (SELECT ${proposalUnits.proposalId} FROM ${proposalUnits} WHERE ${proposalUnits.unitId} = ${unitId})`;
    const [assigned] = await db.q.select({ n: count() }).from(proposals).where(and(between(proposals.assignedDate, p), scope));
    // a first answer is an item's answer (a second round's is not a new one); its on-time question
    // is decided the day it was answered on time, or the day its due date passed — answered late
    // since or not, so a past period's figure never changes afterwards
    const firstAnswer = sql`coalesce((SELECT min(r.answer_date) FROM proposal_rounds r WHERE r.proposal_id = ${proposals.id}), ${proposals.answerDate})`;
    const today = deps.today();
    const [answered] = await db.q
      .select({ n: count() })
      .from(proposals)
      .where(and(sql`${proposals.firstAnswerOnTime} IS NOT NULL`, sql`${firstAnswer} BETWEEN ${p.from} AND ${p.to}`, scope));
    const [decided] = await db.q
      .select({ onTime: countWhere(sql`${proposals.firstAnswerOnTime} = 1`), n: count() })
      .from(proposals)
      .where(
        and(
          sql`CASE WHEN ${proposals.firstAnswerOnTime} = 1 THEN ${firstAnswer} WHEN ${proposals.firstAnswerOnTime} = 0 OR ${proposals.dueDate} < ${today} THEN ${proposals.dueDate} END BETWEEN ${p.from} AND ${p.to}`,
          scope,
        ),
      );
    const [evaluated] = await db.q
      .select({ n: count(), satisfied: countWhere(sql`${proposals.evaluation} = '满意'`), basically: countWhere(sql`${proposals.evaluation} = '基本满意'`) })
      .from(proposals)
      .where(and(sql`${proposals.evaluation} IS NOT NULL`, between(proposals.evaluatedDate, p), scope));
    return {
      assigned: assigned!.n,
      answered: answered!.n,
      answeredOnTime: rate(decided!.onTime, decided!.n),
      evaluated: evaluated!.n,
      satisfaction: rate(evaluated!.satisfied + evaluated!.basically, evaluated!.n),
      satisfied: rate(evaluated!.satisfied, evaluated!.n),
      basicallySatisfied: rate(evaluated!.basically, evaluated!.n),
    };
  }

  async function figures(p: Period, actor: Actor): Promise<Figures> {
    const unitId = unitScope(actor);
    return { documents: await documentFigures(p, unitId), supervision: await supervisionFigures(p, unitId), proposals: await proposalFigures(p, unitId) };
  }

  return {
    /** Documents received and supervision items created per week, the last `weeks` weeks up to this one. */
    async weekly(weeks: number): Promise<{ week: LocalDate; documents: number; supervision: number }[]> {
      const last = weekOf(deps.today()).from;
      const first = addDays(last, -7 * (weeks - 1));
      // counted per day, then per week here: the dialects share no function for a date's Monday
      const counts = async (column: SQLiteColumn, extra?: SQL) => {
        const byWeek = new Map<LocalDate, number>();
        const rows = await db.q
          .select({ day: sql<LocalDate>`${column}`, n: count() })
          .from(column.table)
          .where(and(sql`${column} BETWEEN ${first} AND ${addDays(last, 6)}`, extra))
          .groupBy(column);
        for (const { day, n } of rows) byWeek.set(weekOf(day).from, (byWeek.get(weekOf(day).from) ?? 0) + n);
        return byWeek;
      };
      const docs = await counts(documents.docDate, eq(documents.direction, 'in'));
      const items = await counts(supervisionItems.startDate);
      return Array.from({ length: weeks }, (_, i) => {
        const week = addDays(first, 7 * i);
        return { week, documents: docs.get(week) ?? 0, supervision: items.get(week) ?? 0 };
      });
    },

    /** Per unit, this year: documents closed on time of those closed with a limit, supervision items likewise. */
    async onTimeByUnit(year: number): Promise<{ unit: string; documents: Rate; supervision: Rate }[]> {
      const p = yearPeriod(year);
      const docs = await db.q
        .select({ unit: units.name, n: count(), ok: countWhere(sql`${documents.closedOnTime} = 1`) })
        .from(documents)
        .innerJoin(units, eq(units.id, documents.handlingUnitId))
        .where(and(eq(documents.status, 'closed'), sql`${documents.closedOnTime} IS NOT NULL`, between(documents.closedDate, p)))
        .groupBy(units.name);
      const items = await db.q
        .select({ unit: units.name, n: count(), ok: countWhere(sql`${supervisionItems.closedOnTime} = 1`) })
        .from(supervisionItems)
        .innerJoin(supervisionUnits, and(eq(supervisionUnits.itemId, supervisionItems.id), eq(supervisionUnits.lead, true)))
        .innerJoin(units, eq(units.id, supervisionUnits.unitId))
        .where(and(eq(supervisionItems.status, 'closed'), between(supervisionItems.closedDate, p)))
        .groupBy(units.name);
      const names = [...new Set([...docs, ...items].map((r) => r.unit))].sort();
      const find = (rows: typeof docs, unit: string) => rows.find((r) => r.unit === unit);
      return names.map((unit) => ({
        unit,
        documents: rate(find(docs, unit)?.ok ?? 0, find(docs, unit)?.n ?? 0),
        supervision: rate(find(items, unit)?.ok ?? 0, find(items, unit)?.n ?? 0),
      }));
    },

    /** A period's figures and the previous period's; a unit contact's are their unit's alone. */
    async report(period: Period, actor: Actor): Promise<Report> {
      const previous = previousOf(period);
      return { period, previous, current: await figures(period, actor), before: await figures(previous, actor) };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
