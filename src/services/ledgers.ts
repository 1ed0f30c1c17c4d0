// The ledgers (台账) as rows, one kind and year at a time, for spreadsheets: what an office
// keeps in Excel today, kept by the bot instead.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents, people, proposals, proposalUnits, supervisionFeedback, supervisionItems, supervisionUnits, units } from '../../db/schema';
import type { LocalDate } from '../lib/dates';

export const LEDGER_KINDS = ['公文', '建议', '提案', '督办'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export type Cell = string | number | LocalDate | null;
export interface LedgerColumn {
  header: string;
  /** dates are written as spreadsheet dates, not text */
  type: 'text' | 'date' | 'number';
  width: number;
}
export interface LedgerSheet {
  name: string;
  columns: LedgerColumn[];
  rows: Cell[][];
}

const text = (header: string, width = 14): LedgerColumn => ({ header, type: 'text', width });
const date = (header: string): LedgerColumn => ({ header, type: 'date', width: 12 });
const number = (header: string): LedgerColumn => ({ header, type: 'number', width: 8 });
const yesNo = (v: boolean | null) => (v === null ? null : v ? '是' : '否');

const DOC_STATUS = { registered: '待分办', assigned: '办理中', closed: '已办结' } as const;
const PROPOSAL_STATUS = { assigned: '已交办', in_progress: '重新办理', answered: '已答复', evaluated: '已评价' } as const;
const ITEM_STATUS = { assigned: '已交办', in_progress: '办理中', closed: '已办结' } as const;

/** Units of each of the given items, lead first, as 「主办」 and 「协办」 text. */
function unitNames(db: Db, table: typeof supervisionUnits | typeof proposalUnits, idColumn: typeof supervisionUnits.itemId | typeof proposalUnits.proposalId, ofItems: SQL) {
  const map = new Map<number, { lead: string; co: string[] }>();
  for (const r of db.select({ id: idColumn, lead: table.lead, name: units.name }).from(table).innerJoin(units, eq(units.id, table.unitId)).where(ofItems).all()) {
    const entry = map.get(r.id) ?? { lead: '', co: [] };
    if (r.lead) entry.lead = r.name;
    else entry.co.push(r.name);
    map.set(r.id, entry);
  }
  return map;
}

export function createLedgersService(db: Db) {
  function documentSheets(year: number, unitId: number | null): LedgerSheet[] {
    const scope = unitId === null ? undefined : eq(documents.handlingUnitId, unitId);
    const rowsOf = (direction: 'in' | 'out') =>
      db
        .select({ d: documents, unit: units.name })
        .from(documents)
        .leftJoin(units, eq(units.id, documents.handlingUnitId))
        .where(and(eq(documents.direction, direction), eq(documents.year, year), scope))
        .orderBy(asc(documents.seq))
        .all();
    return [
      {
        name: '收文台账',
        columns: [text('登记号'), text('文号', 20), text('标题', 40), text('来文单位', 18), text('紧急程度', 8), date('收文日期'), date('办理时限'), text('承办单位', 18), text('状态', 8), date('办结日期'), text('按时办结', 8), text('办理结果', 30), text('备注', 20)],
        rows: rowsOf('in').map(({ d, unit }) => [d.regNo, d.docNumber, d.title, d.sourceUnit, d.urgency, d.docDate, d.dueDate, unit, DOC_STATUS[d.status], d.closedDate, yesNo(d.closedOnTime), d.result, d.remarks]),
      },
      {
        name: '发文台账',
        columns: [text('登记号'), text('文号', 20), text('标题', 40), text('主送', 24), text('拟稿单位', 14), text('紧急程度', 8), date('成文日期'), text('备注', 20)],
        rows: rowsOf('out').map(({ d }) => [d.regNo, d.docNumber, d.title, d.recipients, d.draftingUnit, d.urgency, d.docDate, d.remarks]),
      },
    ];
  }

  function proposalSheet(kind: '建议' | '提案', year: number, unitId: number | null): LedgerSheet {
    const scope: SQL | undefined = unitId === null ? undefined : sql`${proposals.id} IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ${unitId})`;
    const names = unitNames(db, proposalUnits, proposalUnits.proposalId, sql`${proposalUnits.proposalId} IN (SELECT id FROM proposals WHERE kind = ${kind} AND year = ${year})`);
    const rows = db.select().from(proposals).where(and(eq(proposals.kind, kind), eq(proposals.year, year), scope)).orderBy(asc(proposals.number)).all();
    return {
      name: `${kind}台账`,
      columns: [text('编号'), text('标题', 40), text(kind === '建议' ? '代表' : '委员', 14), text('主办单位', 18), text('协办单位', 24), date('交办日期'), date('答复期限'), text('状态', 8), date('答复日期'), text('答复类别', 8), text('按时答复', 8), text('评价', 8), number('办理轮次')],
      rows: rows.map((p) => [p.regNo, p.title, p.proposers, names.get(p.id)?.lead ?? null, names.get(p.id)?.co.join('、') || null, p.assignedDate, p.dueDate, PROPOSAL_STATUS[p.status], p.answerDate, p.answerClass, yesNo(p.answeredOnTime), p.evaluation, p.round]),
    };
  }

  function supervisionSheet(year: number, unitId: number | null): LedgerSheet {
    const scope: SQL | undefined = unitId === null ? undefined : sql`${supervisionItems.id} IN (SELECT item_id FROM supervision_units WHERE unit_id = ${unitId})`;
    const ofYear = sql`IN (SELECT id FROM supervision_items WHERE year = ${year})`;
    const names = unitNames(db, supervisionUnits, supervisionUnits.itemId, sql`${supervisionUnits.itemId} ${ofYear}`);
    const feedback = new Map(
      db
        .select({ id: supervisionFeedback.itemId, n: sql<number>`count(*)`, last: sql<string>`max(${supervisionFeedback.date})` })
        .from(supervisionFeedback)
        .where(sql`${supervisionFeedback.itemId} ${ofYear}`)
        .groupBy(supervisionFeedback.itemId)
        .all()
        .map((f) => [f.id, f]),
    );
    const rows = db
      .select({ i: supervisionItems, leader: people.name })
      .from(supervisionItems)
      .leftJoin(people, eq(people.id, supervisionItems.leaderId))
      .where(and(eq(supervisionItems.year, year), scope))
      .orderBy(asc(supervisionItems.seq))
      .all();
    return {
      name: '督办台账',
      columns: [text('编号'), text('标题', 36), text('来源', 10), text('批示领导', 10), text('批示内容', 36), text('牵头单位', 18), text('配合单位', 24), date('交办日期'), date('时限'), text('反馈周期', 8), text('状态', 8), number('反馈次数'), date('最近反馈'), date('办结日期'), text('按时办结', 8), text('办结情况', 30)],
      rows: rows.map(({ i, leader }) => [
        i.regNo, i.title, i.source, leader || null, i.instruction, names.get(i.id)?.lead ?? null, names.get(i.id)?.co.join('、') || null, i.startDate, i.deadline, i.feedbackCycle, ITEM_STATUS[i.status],
        feedback.get(i.id)?.n ?? 0, feedback.get(i.id)?.last ?? null, i.closedDate, yesNo(i.closedOnTime), i.result,
      ]),
    };
  }

  return {
    /** The sheets of one kind's ledger for a year; a unit contact's hold their unit's items only. */
    sheets(kind: LedgerKind, year: number, unitId: number | null): LedgerSheet[] {
      if (kind === '公文') return documentSheets(year, unitId);
      if (kind === '督办') return [supervisionSheet(year, unitId)];
      return [proposalSheet(kind, year, unitId)];
    },
  };
}

export type LedgersService = ReturnType<typeof createLedgersService>;
