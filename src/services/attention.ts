// What needs a leader's attention, across all four ledgers: open items past their deadline, and
// 督办 showing red (little time left, or feedback late). One list, by unit, most overdue first —
// the dashboard's first screen; 建议/提案 overdue count as much as documents do.
import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents, proposals, proposalUnits, supervisionItems, supervisionUnits, units } from '../../db/schema';
import { daysBetween, type LocalDate } from '../lib/dates';
import type { CalendarService } from './calendar';
import type { LedgerKind } from './ledgers';
import { nextFeedbackDue, warningLevel } from './supervision-rules';

export interface AttentionItem {
  ledger: LedgerKind;
  regNo: string;
  title: string;
  /** the handling or lead unit; an unassigned 收文 has none */
  unit: string | null;
  due: LocalDate;
  /** days past the deadline; 0 or less for a red 督办 not yet due */
  daysOverdue: number;
}

export interface UnitAttention {
  unit: string | null;
  overdue: number;
  red: number;
  items: AttentionItem[];
}

/** Red items open before their deadline; the rest are past it. */
const isOverdue = (i: AttentionItem) => i.daysOverdue > 0;

export function createAttentionService(db: Db, deps: { calendar: CalendarService; today: () => LocalDate }) {
  return {
    /** Units with anything overdue or red, the most overdue first; within each, the most overdue item first. */
    async byUnit(): Promise<UnitAttention[]> {
      const today = deps.today();
      const item = (ledger: LedgerKind, r: { regNo: string; title: string; unit: string | null; due: LocalDate }): AttentionItem => ({ ledger, ...r, daysOverdue: daysBetween(r.due, today) });
      const docs = (
        await db.q
          .select({ regNo: documents.regNo, title: documents.title, unit: units.name, due: sql<LocalDate>`${documents.dueDate}` })
          .from(documents)
          .leftJoin(units, eq(units.id, documents.handlingUnitId))
          .where(and(ne(documents.status, 'closed'), lt(documents.dueDate, today)))
      ).map((r) => item('公文', r));
      const asked = (
        await db.q
          .select({ kind: proposals.kind, regNo: proposals.regNo, title: proposals.title, unit: units.name, due: proposals.dueDate })
          .from(proposals)
          .innerJoin(proposalUnits, and(eq(proposalUnits.proposalId, proposals.id), eq(proposalUnits.lead, true)))
          .innerJoin(units, eq(units.id, proposalUnits.unitId))
          .where(and(inArray(proposals.status, ['assigned', 'in_progress']), lt(proposals.dueDate, today)))
      ).map(({ kind, ...r }) => item(kind, r));
      // the warning rules need each open item's dates: one query, then the rules, no view per item
      const calendar = await deps.calendar.current();
      const supervised = (
        await db.q
          .select({ row: supervisionItems, unit: units.name })
          .from(supervisionItems)
          .innerJoin(supervisionUnits, and(eq(supervisionUnits.itemId, supervisionItems.id), eq(supervisionUnits.lead, true)))
          .innerJoin(units, eq(units.id, supervisionUnits.unitId))
          .where(inArray(supervisionItems.status, ['assigned', 'in_progress']))
      )
        .filter(({ row }) => warningLevel(row, today, today > nextFeedbackDue(row, (d) => calendar.nextWorkdayFrom(d))) === 'red')
        .map(({ row, unit }) => item('督办', { regNo: row.regNo, title: row.title, unit, due: row.deadline }));

      const byUnit = new Map<string | null, AttentionItem[]>();
      for (const i of [...docs, ...supervised, ...asked]) byUnit.set(i.unit, [...(byUnit.get(i.unit) ?? []), i]);
      return [...byUnit]
        .map(([unit, items]) => ({
          unit,
          overdue: items.filter(isOverdue).length,
          red: items.filter((i) => !isOverdue(i)).length,
          items: items.sort((a, b) => b.daysOverdue - a.daysOverdue || a.regNo.localeCompare(b.regNo)),
        }))
        .sort((a, b) => b.overdue - a.overdue || b.red - a.red || (a.unit ?? '').localeCompare(b.unit ?? ''));
    },
  };
}

export type AttentionService = ReturnType<typeof createAttentionService>;
