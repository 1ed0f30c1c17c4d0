// The ledgers (台账) as rows, one kind and year at a time, for spreadsheets: what an office
// keeps in Excel today, kept by the bot instead.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { and, asc, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
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

/** Each ledger's status codes as the office's words: the ledgers, the cards and the audit say the same. */
export const DOC_STATUS = { registered: '待分办', assigned: '办理中', closed: '已办结' } as const;
export const PROPOSAL_STATUS = { assigned: '已交办', in_progress: '重新办理', answered: '已答复', evaluated: '已评价' } as const;
export const ITEM_STATUS = { assigned: '已交办', in_progress: '办理中', closed: '已办结' } as const;

/** A sheet's column and the SQL that fills it. */
type Filled = readonly [LedgerColumn, SQLiteColumn | SQL];
/** What a select reads, each value under a name of its own (c0, c1, … for the columns), which keys the rows it returns. */
type Fields = Record<string, SQL.Aliased>;

/** A select of a sheet's table and joins. */
interface Selecting {
  where(where: SQL | undefined): Selecting;
  orderBy(...order: (SQLiteColumn | SQL)[]): Selecting;
  limit(n: number): Selecting;
  offset(n: number): Selecting;
  getSQL(): SQL;
}

/** One sheet as SQL: its columns, where its rows come from, which are its, their key and registration order. */
interface SheetSource {
  name: string;
  filled: readonly Filled[];
  from(fields: Fields): Selecting;
  /** the sheet's kind, year and unit */
  scope: SQL | undefined;
  id: SQLiteColumn;
  /** registration order: one value per row of the sheet, so that it can be read a chunk after another */
  order: SQLiteColumn;
}

/** What the console asks of a sheet: filters as the ledger page offers them, a sort column, a window. */
export interface LedgerFilter {
  /** text found in any column */
  q: string;
  /** the status column's word, exactly */
  status: string;
  /** text found in the unit column */
  unit: string;
  /** a column's index; one the sheet lacks leaves registration order */
  sort: number;
  desc: boolean;
  offset: number;
  limit: number;
}

export interface LedgerPage {
  name: string;
  columns: LedgerColumn[];
  rows: Cell[][];
  /** rows matching the filters, all pages */
  total: number;
}

const STATUS_HEADER = '状态';
const UNIT_HEADERS = ['承办单位', '主办单位', '牵头单位'];

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
  // string_agg with ORDER BY: PostgreSQL's, and SQLite's since 3.44
  return sql`(SELECT string_agg(${units.name}, '、' ORDER BY ${units.id}) FROM ${link} JOIN ${units} ON ${units.id} = ${link.unitId} WHERE ${owner} AND ${eq(link.lead, lead)})`;
}

const as = (name: string, value: SQLiteColumn | SQL) => sql`${value}`.as(name);
const keysOf = (filled: readonly Filled[]) => filled.map((_, i) => `c${i}`);
const fieldsOf = (filled: readonly Filled[]): Fields => Object.fromEntries(filled.map(([, value], i) => [`c${i}`, as(`c${i}`, value)]));
/** A row's cells, in the sheet's column order. */
const cellsOf = (row: Record<string, Cell>, keys: readonly string[]): Cell[] => keys.map((key) => row[key] as Cell);

/** Rows of a sheet read by one statement: few statements for a year, and few rows' objects alive at once beside the cells kept. */
const SHEET_CHUNK = 5000;

export function createLedgersService(db: Db) {
  /** A select's rows, as objects keyed by its fields' names. */
  const rowsOf = <T = Record<string, Cell>>(query: Selecting) => db.all<T>(query.getSQL());

  /**
   * One sheet, read SHEET_CHUNK rows at a time in registration order (each chunk after the last
   * one's key), each row kept as its cells, text repeated down a column (a unit, a status, a
   * date) once rather than once per row. A year of 督办 is 100,000 rows: read as objects all at
   * once, then mapped to cells, they took some 150 MB; this way only one chunk's objects are alive
   * beside the cells. The chunks are separate reads: a row registered or changed meanwhile may or
   * may not be in the file as it stands, as if asked a moment earlier or later; none is read twice or missed.
   */
  async function sheet({ name, filled, from, scope, order }: SheetSource): Promise<LedgerSheet> {
    const keys = keysOf(filled);
    const fields = { ...fieldsOf(filled), order: as('order', order) };
    const seen = new Map<string, string>();
    const rows: Cell[][] = [];
    for (let after: number | null = null; ; ) {
      const chunk = await rowsOf(
        from(fields)
          .where(and(scope, after === null ? undefined : gt(order, after)))
          .orderBy(asc(order))
          .limit(SHEET_CHUNK),
      );
      for (const record of chunk) {
        const row = cellsOf(record, keys);
        for (let i = 0; i < row.length; i++) {
          const value = row[i];
          if (typeof value !== 'string') continue;
          const kept = seen.get(value);
          if (kept === undefined) seen.set(value, value);
          else row[i] = kept;
        }
        rows.push(row);
      }
      if (chunk.length < SHEET_CHUNK) break;
      after = chunk.at(-1)!.order as number;
    }
    return { name, columns: filled.map(([column]) => column), rows };
  }

  /**
   * One window of a sheet, filtered and sorted in SQL, in two steps: the keys of the window, with
   * only the expressions the filters and the sort need, then every column for those keys alone.
   * One step would work out every column (a unit's name, a feedback count) of every matching row
   * before the sort keeps fifty of them. The second step asks for the keys alone: given the
   * sheet's scope as well, SQLite walks the year's (direction, year) index testing each row's key
   * against the fifty (6 ms over 100,000 rows) instead of looking the fifty up.
   *
   * The bot's event loop is let go between the statements (a year's count is some 3 ms): the
   * console shares the process with the webhooks, whose acknowledgements must not queue behind
   * several people's ledger pages. A registration landing in between can make the total one
   * off from the rows for that one view; nothing is written from it.
   */
  async function window({ name, filled, from, scope, id, order }: SheetSource, f: LedgerFilter): Promise<LedgerPage> {
    const columns = filled.map(([column]) => column);
    const value = (header: string) => filled.find(([column]) => column.header === header)?.[1];
    // a forked expression: the dialects share no function for where one text occurs in another
    // (PostgreSQL's wants text, and some columns are numbers)
    const contains = (expression: SQLiteColumn | SQL, text: string) =>
      db.dialect === 'pg' ? sql`strpos(CAST(${expression} AS text), ${text}) > 0` : sql`instr(${expression}, ${text}) > 0`;
    const status = value(STATUS_HEADER);
    const unit = UNIT_HEADERS.map(value).find((v) => v !== undefined);
    const where = and(
      scope,
      f.q ? or(...filled.map(([, expression]) => contains(expression, f.q))) : undefined,
      f.status && status ? sql`${status} = ${f.status}` : undefined,
      f.unit && unit ? contains(unit, f.unit) : undefined,
    );
    const [counted] = await rowsOf<{ n: number }>(from({ n: as('n', sql`count(*)`) }).where(where));
    const total = counted!.n;
    await yieldToLoop();
    const sorted = Number.isInteger(f.sort) && f.sort > 0 && f.sort < filled.length ? filled[f.sort]! : null;
    // the registration number sorts as registered (SW-2026-10000 after -9999); a missing text as an
    // empty one; a number by its value; ties in registration order, either way
    const key = sorted === null ? order : sorted[0].type === 'number' ? sorted[1] : sql`coalesce(${sorted[1]}, '')`;
    const ids = (
      await rowsOf<{ id: number }>(
        from({ id: as('id', id) })
          .where(where)
          .orderBy(f.desc ? desc(key) : asc(key), asc(order))
          .limit(f.limit)
          .offset(f.offset),
      )
    ).map((row) => row.id);
    if (!ids.length) return { name, columns, rows: [], total };
    await yieldToLoop();
    const keys = keysOf(filled);
    const byId = new Map((await rowsOf(from({ ...fieldsOf(filled), id: as('id', id) }).where(inArray(id, ids)))).map((row) => [row.id as number, cellsOf(row, keys)]));
    return { name, columns, rows: ids.map((rowId) => byId.get(rowId)!), total };
  }

  function documentSources(year: number, unitId: number | null): SheetSource[] {
    const unit = unitId === null ? undefined : eq(documents.handlingUnitId, unitId);
    const ofDirection = (direction: 'in' | 'out') => ({
      from: (fields: Fields) => db.q.select(fields).from(documents).$dynamic(),
      scope: and(eq(documents.direction, direction), eq(documents.year, year), unit),
      id: documents.id,
      order: documents.seq,
    });
    return [
      {
        name: '收文台账',
        filled: [
          [text('登记号'), documents.regNo],
          [text('文号', 20), documents.docNumber],
          [text('标题', 40), documents.title],
          [text('来文单位', 18), documents.sourceUnit],
          [text('紧急程度', 8), documents.urgency],
          [date('收文日期'), documents.docDate],
          [date('办理时限'), documents.dueDate],
          // looked up for the rows shown, not joined: a join would be walked by the count as well
          [text('承办单位', 18), sql`(SELECT ${units.name} FROM ${units} WHERE ${units.id} = ${documents.handlingUnitId})`],
          [text('状态', 8), labelled(documents.status, DOC_STATUS)],
          [date('办结日期'), documents.closedDate],
          [text('按时办结', 8), yesNo(documents.closedOnTime)],
          [text('办理结果', 30), documents.result],
          [text('备注', 20), documents.remarks],
        ],
        ...ofDirection('in'),
      },
      {
        name: '发文台账',
        filled: [
          [text('登记号'), documents.regNo],
          [text('文号', 20), documents.docNumber],
          [text('标题', 40), documents.title],
          [text('主送', 24), documents.recipients],
          [text('拟稿单位', 14), documents.draftingUnit],
          [text('紧急程度', 8), documents.urgency],
          [date('成文日期'), documents.docDate],
          [text('备注', 20), documents.remarks],
        ],
        ...ofDirection('out'),
      },
    ];
  }

  function proposalSource(kind: '建议' | '提案', year: number, unitId: number | null): SheetSource {
    const unit: SQL | undefined = unitId === null ? undefined : sql`${proposals.id} IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ${unitId})`;
    const owner = eq(proposalUnits.proposalId, proposals.id);
    return {
      name: `${kind}台账`,
      filled: [
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
        // the first answer decides, as in every figure: a late one answered again is still late
        [text('按时答复', 8), yesNo(proposals.firstAnswerOnTime)],
        [text('评价', 8), proposals.evaluation],
        [number('办理轮次'), proposals.round],
      ],
      from: (fields) => db.q.select(fields).from(proposals).$dynamic(),
      scope: and(eq(proposals.kind, kind), eq(proposals.year, year), unit),
      id: proposals.id,
      order: proposals.number,
    };
  }

  function supervisionSource(year: number, unitId: number | null): SheetSource {
    const unit: SQL | undefined = unitId === null ? undefined : sql`${supervisionItems.id} IN (SELECT item_id FROM supervision_units WHERE unit_id = ${unitId})`;
    const owner = eq(supervisionUnits.itemId, supervisionItems.id);
    const feedback = (what: SQL) => sql`(SELECT ${what} FROM ${supervisionFeedback} WHERE ${eq(supervisionFeedback.itemId, supervisionItems.id)})`;
    return {
      name: '督办台账',
      filled: [
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
      from: (fields) => db.q.select(fields).from(supervisionItems).leftJoin(people, eq(people.id, supervisionItems.leaderId)).$dynamic(),
      scope: and(eq(supervisionItems.year, year), unit),
      id: supervisionItems.id,
      order: supervisionItems.seq,
    };
  }

  /** The sheets of one kind's ledger for a year; a unit contact's hold their unit's items only. */
  function sources(kind: LedgerKind, year: number, unitId: number | null): SheetSource[] {
    if (kind === '公文') return documentSources(year, unitId);
    if (kind === '督办') return [supervisionSource(year, unitId)];
    return [proposalSource(kind, year, unitId)];
  }

  return {
    /** Every row of each sheet, for a spreadsheet. */
    async sheets(kind: LedgerKind, year: number, unitId: number | null): Promise<LedgerSheet[]> {
      const sheets: LedgerSheet[] = [];
      for (const source of sources(kind, year, unitId)) sheets.push(await sheet(source));
      return sheets;
    },
    /** One window of each sheet, as the console's ledger page shows it. */
    async pages(kind: LedgerKind, year: number, unitId: number | null, filter: LedgerFilter): Promise<LedgerPage[]> {
      const pages: LedgerPage[] = [];
      for (const source of sources(kind, year, unitId)) pages.push(await window(source, filter));
      return pages;
    },
  };
}

export type LedgersService = ReturnType<typeof createLedgersService>;
