// The ledgers (台账) as rows, one kind and year at a time, for spreadsheets: what an office
// keeps in Excel today, kept by the bot instead.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
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

const DOC_STATUS = { registered: '待分办', assigned: '办理中', closed: '已办结' } as const;
const PROPOSAL_STATUS = { assigned: '已交办', in_progress: '重新办理', answered: '已答复', evaluated: '已评价' } as const;
const ITEM_STATUS = { assigned: '已交办', in_progress: '办理中', closed: '已办结' } as const;

/** A sheet's column and the SQL that fills it. */
type Filled = readonly [LedgerColumn, SQLiteColumn | SQL];
type Fields = Record<string, SQLiteColumn | SQL>;

/** The stored code shown as the office's word. */
function labelled(column: SQLiteColumn, labels: Record<string, string>): SQL {
  return sql`CASE ${column} ${sql.join(
    Object.entries(labels).map(([code, label]) => sql`WHEN ${code} THEN ${label}`),
    sql` `,
  )} END`;
}

const yesNo = (column: SQLiteColumn): SQL => sql`CASE ${column} WHEN 1 THEN '是' WHEN 0 THEN '否' END`;

/** Names of an item's lead unit (lead) or co-units (not lead), joined with 、 in the order its card lists them. */
function unitNames(link: typeof supervisionUnits | typeof proposalUnits, owner: SQL, lead: boolean): SQL {
  return sql`(SELECT group_concat(${units.name}, '、' ORDER BY ${units.id}) FROM ${link} JOIN ${units} ON ${units.id} = ${link.unitId} WHERE ${owner} AND ${eq(link.lead, lead)})`;
}

export function createLedgersService(db: Db) {
  /**
   * One sheet, read in one statement whose rows come back as plain arrays (better-sqlite3's
   * raw mode), one at a time, and are kept as they come, text repeated down a column (a unit,
   * a status, a date) once rather than once per row. A year of 督办 is 100,000 rows: read as
   * drizzle objects, all at once, then mapped to cells, they took some 150 MB; kept so, 25.
   */
  function sheet(name: string, filled: readonly Filled[], query: (fields: Fields) => { toSQL(): { sql: string; params: unknown[] } }): LedgerSheet {
    const { sql: statement, params } = query(Object.fromEntries(filled.map(([, value], i) => [`c${i}`, value]))).toSQL();
    const seen = new Map<string, string>();
    const rows: Cell[][] = [];
    for (const row of db.$client.prepare(statement).raw().iterate(...params) as IterableIterator<Cell[]>) {
      for (let i = 0; i < row.length; i++) {
        const value = row[i];
        if (typeof value !== 'string') continue;
        const kept = seen.get(value);
        if (kept === undefined) seen.set(value, value);
        else row[i] = kept;
      }
      rows.push(row);
    }
    return { name, columns: filled.map(([column]) => column), rows };
  }

  function documentSheets(year: number, unitId: number | null): LedgerSheet[] {
    const scope = unitId === null ? undefined : eq(documents.handlingUnitId, unitId);
    const ofDirection = (direction: 'in' | 'out') => (fields: Fields) =>
      db
        .select(fields)
        .from(documents)
        .leftJoin(units, eq(units.id, documents.handlingUnitId))
        .where(and(eq(documents.direction, direction), eq(documents.year, year), scope))
        .orderBy(asc(documents.seq));
    return [
      sheet(
        '收文台账',
        [
          [text('登记号'), documents.regNo],
          [text('文号', 20), documents.docNumber],
          [text('标题', 40), documents.title],
          [text('来文单位', 18), documents.sourceUnit],
          [text('紧急程度', 8), documents.urgency],
          [date('收文日期'), documents.docDate],
          [date('办理时限'), documents.dueDate],
          [text('承办单位', 18), units.name],
          [text('状态', 8), labelled(documents.status, DOC_STATUS)],
          [date('办结日期'), documents.closedDate],
          [text('按时办结', 8), yesNo(documents.closedOnTime)],
          [text('办理结果', 30), documents.result],
          [text('备注', 20), documents.remarks],
        ],
        ofDirection('in'),
      ),
      sheet(
        '发文台账',
        [
          [text('登记号'), documents.regNo],
          [text('文号', 20), documents.docNumber],
          [text('标题', 40), documents.title],
          [text('主送', 24), documents.recipients],
          [text('拟稿单位', 14), documents.draftingUnit],
          [text('紧急程度', 8), documents.urgency],
          [date('成文日期'), documents.docDate],
          [text('备注', 20), documents.remarks],
        ],
        ofDirection('out'),
      ),
    ];
  }

  function proposalSheet(kind: '建议' | '提案', year: number, unitId: number | null): LedgerSheet {
    const scope: SQL | undefined = unitId === null ? undefined : sql`${proposals.id} IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ${unitId})`;
    const owner = eq(proposalUnits.proposalId, proposals.id);
    return sheet(
      `${kind}台账`,
      [
        [text('编号'), proposals.regNo],
        [text('标题', 40), proposals.title],
        [text(kind === '建议' ? '代表' : '委员', 14), proposals.proposers],
        [text('主办单位', 18), unitNames(proposalUnits, owner, true)],
        [text('协办单位', 24), unitNames(proposalUnits, owner, false)],
        [date('交办日期'), proposals.assignedDate],
        [date('答复期限'), proposals.dueDate],
        [text('状态', 8), labelled(proposals.status, PROPOSAL_STATUS)],
        [date('答复日期'), proposals.answerDate],
        [text('答复类别', 8), proposals.answerClass],
        [text('按时答复', 8), yesNo(proposals.answeredOnTime)],
        [text('评价', 8), proposals.evaluation],
        [number('办理轮次'), proposals.round],
      ],
      (fields) =>
        db
          .select(fields)
          .from(proposals)
          .where(and(eq(proposals.kind, kind), eq(proposals.year, year), scope))
          .orderBy(asc(proposals.number)),
    );
  }

  function supervisionSheet(year: number, unitId: number | null): LedgerSheet {
    const scope: SQL | undefined = unitId === null ? undefined : sql`${supervisionItems.id} IN (SELECT item_id FROM supervision_units WHERE unit_id = ${unitId})`;
    const owner = eq(supervisionUnits.itemId, supervisionItems.id);
    const feedback = (what: SQL) => sql`(SELECT ${what} FROM ${supervisionFeedback} WHERE ${eq(supervisionFeedback.itemId, supervisionItems.id)})`;
    return sheet(
      '督办台账',
      [
        [text('编号'), supervisionItems.regNo],
        [text('标题', 36), supervisionItems.title],
        [text('来源', 10), supervisionItems.source],
        [text('批示领导', 10), sql`nullif(${people.name}, '')`],
        [text('批示内容', 36), supervisionItems.instruction],
        [text('牵头单位', 18), unitNames(supervisionUnits, owner, true)],
        [text('配合单位', 24), unitNames(supervisionUnits, owner, false)],
        [date('交办日期'), supervisionItems.startDate],
        [date('时限'), supervisionItems.deadline],
        [text('反馈周期', 8), supervisionItems.feedbackCycle],
        [text('状态', 8), labelled(supervisionItems.status, ITEM_STATUS)],
        [number('反馈次数'), feedback(sql`count(*)`)],
        [date('最近反馈'), feedback(sql`max(${supervisionFeedback.date})`)],
        [date('办结日期'), supervisionItems.closedDate],
        [text('按时办结', 8), yesNo(supervisionItems.closedOnTime)],
        [text('办结情况', 30), supervisionItems.result],
      ],
      (fields) =>
        db
          .select(fields)
          .from(supervisionItems)
          .leftJoin(people, eq(people.id, supervisionItems.leaderId))
          .where(and(eq(supervisionItems.year, year), scope))
          .orderBy(asc(supervisionItems.seq)),
    );
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
