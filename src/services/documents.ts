// 公文: incoming (收文 SW-) and outgoing (发文 FW-) documents, from registration to closing.
import { and, asc, eq, inArray, lt, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addDays, isoWeekday, yearOf, type LocalDate, type WorkdayCount } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import { unitScope, type Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';
import type { NotifyService } from './notify';
import { parseRegNo, type Numbering } from './numbering';
import { toGrams, toMatchQuery } from './search-grams';
import type { UnitsService } from './units';

export type Urgency = '特急' | '加急' | '平件';

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentView = DocumentRow & { handlingUnitName: string | null };

export interface IncomingInput {
  title: string;
  sourceUnit: string;
  docNumber?: string | undefined;
  urgency: Urgency;
  secrecy: string;
  receivedDate: LocalDate;
  dueDate?: LocalDate | undefined;
  /** when 办理时限 was given as N个工作日 */
  dueWorkdays?: WorkdayCount | null | undefined;
  handlingUnit?: string | undefined;
  remarks?: string | undefined;
}

export interface OutgoingInput {
  title: string;
  docNumber: string;
  recipients: string;
  urgency: Urgency;
  writtenDate: LocalDate;
  draftingUnit?: string | undefined;
  remarks?: string | undefined;
}

export interface DocumentList {
  total: number;
  /** true when total was capped: there are at least that many */
  capped: boolean;
  items: DocumentView[];
}

export type TodoFilter = '逾期' | '本周' | '全部';

const SECRET_LEVELS = /绝密|机密|秘密/;
export const SECRET_REFUSAL =
  '涉密公文（秘密、机密、绝密）不得通过即时通讯工具传输或登记。本次登记已拒绝，系统未保存其任何内容，请按涉密文件管理规定线下办理。';

export function isSecret(secrecy: string): boolean {
  return SECRET_LEVELS.test(secrecy);
}

/** 县政办发〔2026〕12号, 县政办发[2026]12号 and 县政办发（2026）12号 are one 文号. */
export function docNumberKey(docNumber: string): string {
  return docNumber
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[〔【［\[(（〖]/g, '[')
    .replace(/[〕】］\])）〗]/g, ']')
    .toUpperCase();
}

const LIST_LIMIT = 10;
// Keyword hits are ranked among the newest this many matches, so a term found in half a
// million titles still answers at once; the reply then asks for a narrower term.
const SEARCH_CANDIDATES = 1000;

export function createDocumentsService(
  db: Db,
  clock: Clock,
  deps: { audit: AuditService; numbering: Numbering; units: UnitsService; notify: NotifyService; today: () => LocalDate; workdaysBetween: (from: LocalDate, to: LocalDate) => number },
) {
  const { audit, numbering, notify } = deps;
  const sqlite = db.$client;
  const insertGrams = sqlite.prepare('INSERT INTO documents_fts (rowid, grams) VALUES (?, ?)');

  function selectViews() {
    return db
      .select({ doc: documents, unitName: units.name })
      .from(documents)
      .leftJoin(units, eq(units.id, documents.handlingUnitId));
  }

  function toView(r: { doc: DocumentRow; unitName: string | null }): DocumentView {
    return { ...r.doc, handlingUnitName: r.unitName };
  }

  function scopeCondition(actor: Actor): SQL | undefined {
    const unitId = unitScope(actor);
    return unitId === null ? undefined : eq(documents.handlingUnitId, unitId);
  }

  function byRegNo(regNo: string, actor: Actor): DocumentView {
    const parsed = parseRegNo(regNo, ['SW', 'FW']);
    if (!parsed) throw new UserError(`「${regNo}」不是公文登记号，登记号形如 SW-2026-0001（收文）或 FW-2026-0001（发文）`);
    const row = selectViews().where(and(eq(documents.regNo, parsed.regNo), scopeCondition(actor))).get();
    if (!row) throw new UserError(`未找到公文 ${parsed.regNo}${unitScope(actor) !== null ? '（或不属于您所在单位）' : ''}`);
    return toView(row);
  }

  function snapshot(d: DocumentRow) {
    return {
      status: d.status,
      handlingUnitId: d.handlingUnitId,
      dueDate: d.dueDate,
      closedDate: d.closedDate,
      closedOnTime: d.closedOnTime,
      result: d.result,
    };
  }

  function notifyUnit(doc: DocumentView, unitId: number, dedupeKey: string): void {
    notify.people(deps.units.contactsOf(unitId).map((c) => c.personId), assignmentNotice(doc), dedupeKey);
  }

  // prepared once with every column a registration sets (the rest start empty): building a
  // twenty-column insert afresh cost more than carrying it out
  const slot = sql.placeholder;
  const insertRow = db
    .insert(documents)
    .values({
      regNo: slot('regNo'), direction: slot('direction'), year: slot('year'), seq: slot('seq'), title: slot('title'), docNumber: slot('docNumber'), docNumberKey: slot('docNumberKey'),
      sourceUnit: slot('sourceUnit'), recipients: slot('recipients'), draftingUnit: slot('draftingUnit'), urgency: slot('urgency'), docDate: slot('docDate'), dueDate: slot('dueDate'), dueWorkdays: slot('dueWorkdays'), dueCountedFrom: slot('dueCountedFrom'),
      handlingUnitId: slot('handlingUnitId'), remarks: slot('remarks'), status: slot('status'), assignedAt: slot('assignedAt'), assignedDate: slot('assignedDate'),
      createdBy: slot('createdBy'), createdAt: slot('createdAt'), updatedAt: slot('updatedAt'),
    })
    .returning()
    .prepare();
  const UNSET = { docNumber: null, docNumberKey: null, sourceUnit: null, recipients: null, draftingUnit: null, dueDate: null, dueWorkdays: null, dueCountedFrom: null, handlingUnitId: null, remarks: null, assignedAt: null, assignedDate: null, createdBy: null };

  function insertDocument(values: typeof documents.$inferInsert, grams: string, unitName: string | null): DocumentView {
    const row = insertRow.get({ ...UNSET, ...values });
    insertGrams.run(row.id, grams);
    return toView({ doc: row, unitName });
  }

  const viewById = selectViews().where(eq(documents.id, sql.placeholder('id'))).prepare();
  function byId(id: number): DocumentView {
    return toView(viewById.get({ id })!);
  }

  // prepared once: every registration with a 文号 asks it
  const registeredAs = db
    .select({ regNo: documents.regNo })
    .from(documents)
    .where(and(eq(documents.direction, sql.placeholder('direction')), eq(documents.docNumberKey, sql.placeholder('key'))))
    .prepare();

  function list(where: SQL | undefined, actor: Actor): DocumentList {
    const condition = and(where, scopeCondition(actor));
    const total = db.select({ n: sql<number>`count(*)` }).from(documents).where(condition).get()!.n;
    const items = selectViews()
      .where(condition)
      .orderBy(sql`${documents.dueDate} IS NULL`, asc(documents.dueDate), asc(documents.id))
      .limit(LIST_LIMIT)
      .all()
      .map(toView);
    return { total, capped: false, items };
  }

  return {
    byRegNo,

    registerIncoming(input: IncomingInput, actor: Actor): DocumentView {
      if (isSecret(input.secrecy)) throw new UserError(SECRET_REFUSAL, { forget: true });
      const key = input.docNumber ? docNumberKey(input.docNumber) : null;
      if (key) {
        const existing = registeredAs.get({ direction: 'in', key });
        if (existing) throw new UserError(`文号「${input.docNumber}」已登记为 ${existing.regNo}，请勿重复登记。发送「公文查询 ${existing.regNo}」查看。`);
      }
      const unit = input.handlingUnit ? deps.units.resolve(input.handlingUnit) : null;
      const year = yearOf(input.receivedDate);
      const { seq, regNo } = numbering.next('SW', year);
      const now = clock.now();
      const doc = insertDocument(
        {
          regNo,
          direction: 'in',
          year,
          seq,
          title: input.title,
          docNumber: input.docNumber ?? null,
          docNumberKey: key,
          sourceUnit: input.sourceUnit,
          urgency: input.urgency,
          docDate: input.receivedDate,
          dueDate: input.dueDate ?? null,
          dueWorkdays: input.dueWorkdays?.count ?? null,
          dueCountedFrom: input.dueWorkdays?.from ?? null,
          handlingUnitId: unit?.id ?? null,
          remarks: input.remarks ?? null,
          status: unit ? 'assigned' : 'registered',
          assignedAt: unit ? now : null,
          assignedDate: unit ? deps.today() : null,
          createdBy: actor.personId,
          createdAt: now,
          updatedAt: now,
        },
        toGrams(input.title, input.docNumber, input.sourceUnit),
        unit?.name ?? null,
      );
      audit.record(actor, '收文登记', regNo, null, { title: doc.title, docNumber: doc.docNumber, sourceUnit: doc.sourceUnit, urgency: doc.urgency, ...snapshot(doc) });
      if (unit) notifyUnit(doc, unit.id, `doc-assign:${regNo}:${now}`);
      return doc;
    },

    registerOutgoing(input: OutgoingInput, actor: Actor): DocumentView {
      const key = docNumberKey(input.docNumber);
      const existing = registeredAs.get({ direction: 'out', key });
      if (existing) throw new UserError(`文号「${input.docNumber}」已登记为 ${existing.regNo}，请勿重复登记。`);
      const year = yearOf(input.writtenDate);
      const { seq, regNo } = numbering.next('FW', year);
      const now = clock.now();
      const doc = insertDocument(
        {
          regNo,
          direction: 'out',
          year,
          seq,
          title: input.title,
          docNumber: input.docNumber,
          docNumberKey: key,
          recipients: input.recipients,
          draftingUnit: input.draftingUnit ?? null,
          urgency: input.urgency,
          docDate: input.writtenDate,
          remarks: input.remarks ?? null,
          status: 'registered',
          createdBy: actor.personId,
          createdAt: now,
          updatedAt: now,
        },
        toGrams(input.title, input.docNumber, input.recipients, input.draftingUnit),
        null,
      );
      audit.record(actor, '发文登记', regNo, null, { title: doc.title, docNumber: doc.docNumber, recipients: doc.recipients, urgency: doc.urgency });
      return doc;
    },

    assign(regNo: string, unitName: string, dueDate: LocalDate | undefined, actor: Actor, dueWorkdays: WorkdayCount | null = null): DocumentView {
      const doc = byRegNo(regNo, actor);
      if (doc.direction !== 'in') throw new UserError(`${doc.regNo} 是发文，只有收文需要分办`);
      if (doc.status === 'closed') throw new UserError(`${doc.regNo} 已办结，不能再分办`);
      const unit = deps.units.resolve(unitName);
      if (dueDate && dueDate < doc.docDate) throw new UserError(`「时限」${dueDate} 早于收文日期 ${doc.docDate}`);
      const now = clock.now();
      db.update(documents)
        .set({
          handlingUnitId: unit.id,
          // a new 时限 brings its own working-day count, or none (a fixed date)
          ...(dueDate ? { dueDate, dueWorkdays: dueWorkdays?.count ?? null, dueCountedFrom: dueWorkdays?.from ?? null } : {}),
          status: 'assigned',
          assignedAt: doc.assignedAt ?? now,
          assignedDate: doc.assignedDate ?? deps.today(),
          updatedAt: now,
        })
        .where(eq(documents.id, doc.id))
        .run();
      const after = byId(doc.id);
      audit.record(actor, '公文分办', doc.regNo, snapshot(doc), snapshot(after));
      notifyUnit(after, unit.id, `doc-assign:${doc.regNo}:${now}`);
      return after;
    },

    close(regNo: string, result: string | undefined, actor: Actor): DocumentView {
      const doc = byRegNo(regNo, actor);
      if (doc.direction === 'out') throw new UserError(`${doc.regNo} 是发文：登记即已发出，无需办结`);
      if (doc.status === 'closed') throw new UserError(`${doc.regNo} 已于 ${doc.closedDate} 办结，无需重复办结`);
      const today = deps.today();
      const now = clock.now();
      db.update(documents)
        .set({
          status: 'closed',
          closedAt: now,
          closedDate: today,
          closedOnTime: doc.dueDate ? today <= doc.dueDate : null,
          handlingWorkdays: Math.max(0, deps.workdaysBetween(doc.docDate, today)),
          result: result ?? null,
          updatedAt: now,
        })
        .where(eq(documents.id, doc.id))
        .run();
      const after = byId(doc.id);
      audit.record(actor, '公文办结', doc.regNo, snapshot(doc), snapshot(after));
      return after;
    },

    /** By registration number, then 文号, then keyword. */
    find(query: string, actor: Actor): DocumentList {
      if (parseRegNo(query, ['SW', 'FW'])) return { total: 1, capped: false, items: [byRegNo(query, actor)] };
      // naming both directions lets SQLite seek the (direction, doc_number_key) index instead of scanning it
      const byNumber = list(and(inArray(documents.direction, ['in', 'out']), eq(documents.docNumberKey, docNumberKey(query))), actor);
      if (byNumber.total > 0) return byNumber;
      const match = toMatchQuery(query);
      if (!match) throw new UserError('请给出登记号、文号或关键词，例如：公文查询 防汛');
      // the newest matches the asker may see: a unit contact's are filtered before the cap, or
      // a thousand newer documents of other units would hide all of their own
      const unitId = unitScope(actor);
      const candidates =
        unitId === null
          ? `SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid DESC LIMIT ${SEARCH_CANDIDATES + 1}`
          : `SELECT documents_fts.rowid AS id FROM documents_fts JOIN documents u ON u.id = documents_fts.rowid
             WHERE documents_fts MATCH ? AND u.handling_unit_id = ? ORDER BY documents_fts.rowid DESC LIMIT ${SEARCH_CANDIDATES + 1}`;
      const params = unitId === null ? [match] : [match, unitId];
      const total = sqlite.prepare(`SELECT count(*) FROM (${candidates})`).pluck().get(...params) as number;
      const ids = sqlite
        .prepare(
          `SELECT d.id FROM (${candidates}) c JOIN documents d ON d.id = c.id
           ORDER BY d.status = 'closed', d.due_date IS NULL, d.due_date, d.id DESC LIMIT ${LIST_LIMIT}`,
        )
        .pluck()
        .all(...params) as number[];
      return { total: Math.min(total, SEARCH_CANDIDATES), capped: total > SEARCH_CANDIDATES, items: ids.map(byId) };
    },

    /** Open 收文: a 发文 is registered as sent and is nobody's to-do. */
    todo(filter: TodoFilter, actor: Actor): DocumentList {
      const today = deps.today();
      const open = and(eq(documents.direction, 'in'), ne(documents.status, 'closed'));
      if (filter === '逾期') return list(and(open, lt(documents.dueDate, today)), actor);
      if (filter === '本周') return list(and(open, lte(documents.dueDate, addDays(today, 7 - isoWeekday(today)))), actor);
      return list(open, actor);
    },
  };
}

function assignmentNotice(doc: DocumentView): Reply {
  return card({
    title: `请办理：${doc.regNo}`,
    tone: doc.urgency === '平件' ? 'info' : 'warning',
    lines: [`**${doc.title}**`],
    fields: [
      ['紧急程度', doc.urgency],
      ['来文单位', doc.sourceUnit ?? '—'],
      ['办理时限', doc.dueDate ?? '未定'],
      ['承办单位', doc.handlingUnitName ?? '—'],
    ],
    actions: [{ label: '办结', command: `公文办结 ${doc.regNo}` }],
  });
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
