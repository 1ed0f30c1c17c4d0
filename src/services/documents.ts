// 公文: incoming (收文 SW-) and outgoing (发文 FW-) documents, from registration to closing.
import { and, asc, desc, eq, inArray, lt, lte, ne, sql, type SQL } from 'drizzle-orm';
import { idIn, type Db } from '../../db/client';
import { LOCK_SPACES, lockName, lockRows } from '../../db/locks';
import { documents, units } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { addDays, isoWeekday, yearOf, type LocalDate, type WorkdayCount } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import { unitScope, type Actor } from './actor';
import type { AuditService } from './audit';
import { subjectOf, type CardUpdatesService } from './card-updates';
import { createDocumentSearch } from './document-search';
import { UserError } from './errors';
import type { NotifyService } from './notify';
import { parseRegNo, type Numbering } from './numbering';
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
  deps: { audit: AuditService; numbering: Numbering; units: UnitsService; notify: NotifyService; cardUpdates: CardUpdatesService; today: () => LocalDate; workdaysBetween: (from: LocalDate, to: LocalDate) => Promise<number> },
) {
  const { audit, numbering, notify } = deps;
  const search = createDocumentSearch(db);

  function selectViews() {
    return db.q
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

  /** With `lock`, for a change of its state: waits for any change of the row under way elsewhere, so that the state checked is the state written over. */
  async function byRegNo(regNo: string, actor: Actor, { lock = false } = {}): Promise<DocumentView> {
    const parsed = parseRegNo(regNo, ['SW', 'FW']);
    if (!parsed) throw new UserError(`「${regNo}」不是公文登记号，登记号形如 SW-2026-0001（收文）或 FW-2026-0001（发文）`);
    if (lock) await lockRows(db, documents, eq(documents.regNo, parsed.regNo));
    const [row] = await selectViews().where(and(eq(documents.regNo, parsed.regNo), scopeCondition(actor))).limit(1);
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

  async function notifyUnit(doc: DocumentView, unitId: number, dedupeKey: string): Promise<void> {
    // a 特急 document is pressed on the unit's contacts at once (加急), once per unit it is handed to
    const urgent = doc.urgency === '特急' ? { urgent: [`${subjectOf('公文', doc.regNo)}:assigned:${unitId}`] } : {};
    await notify.people((await deps.units.contactsOf(unitId)).map((c) => c.personId), assignmentNotice(doc), dedupeKey, urgent);
  }

  /** Inside the registering transaction: the row and its search entry. */
  async function insertDocument(values: typeof documents.$inferInsert, unitName: string | null): Promise<DocumentView> {
    const [row] = await db.q.insert(documents).values(values).returning();
    await search.add(row!);
    return toView({ doc: row!, unitName });
  }

  async function byId(id: number): Promise<DocumentView> {
    const [row] = await selectViews().where(eq(documents.id, id)).limit(1);
    return toView(row!);
  }

  /**
   * The registration number a 文号 was registered under, in one direction. In the registering
   * transaction it also holds the 文号 until commit: two instances registering one 文号 at once
   * would otherwise both find it free (PostgreSQL; SQLite's writes take turns).
   */
  async function registeredAs(direction: 'in' | 'out', key: string): Promise<{ regNo: string } | undefined> {
    if (db.inTransaction) await lockName(db, LOCK_SPACES.docNumber, `${direction}\u0000${key}`);
    const [row] = await db.q
      .select({ regNo: documents.regNo })
      .from(documents)
      .where(and(eq(documents.direction, direction), eq(documents.docNumberKey, key)))
      .limit(1);
    return row;
  }

  async function list(where: SQL | undefined, actor: Actor): Promise<DocumentList> {
    const condition = and(where, scopeCondition(actor));
    const [counted] = await db.q.select({ n: sql<number>`count(*)` }).from(documents).where(condition);
    const rows = await selectViews()
      .where(condition)
      .orderBy(sql`${documents.dueDate} IS NULL`, asc(documents.dueDate), asc(documents.id))
      .limit(LIST_LIMIT);
    return { total: counted!.n, capped: false, items: rows.map(toView) };
  }

  return {
    byRegNo,

    /** The 收文 registered under this 文号 (however its brackets are written), if any. */
    async incomingWithNumber(docNumber: string): Promise<{ regNo: string } | undefined> {
      return registeredAs('in', docNumberKey(docNumber));
    },

    async registerIncoming(input: IncomingInput, actor: Actor): Promise<DocumentView> {
      if (isSecret(input.secrecy)) throw new UserError(SECRET_REFUSAL, { forget: true });
      const key = input.docNumber ? docNumberKey(input.docNumber) : null;
      if (key) {
        const existing = await registeredAs('in', key);
        if (existing) throw new UserError(`文号「${input.docNumber}」已登记为 ${existing.regNo}，请勿重复登记。发送「公文查询 ${existing.regNo}」查看。`);
      }
      const unit = input.handlingUnit ? await deps.units.resolve(input.handlingUnit) : null;
      const year = yearOf(input.receivedDate);
      const { seq, regNo } = await numbering.next('SW', year);
      const now = clock.now();
      const doc = await insertDocument(
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
        unit?.name ?? null,
      );
      await audit.record(actor, '收文登记', regNo, null, { title: doc.title, docNumber: doc.docNumber, sourceUnit: doc.sourceUnit, urgency: doc.urgency, ...snapshot(doc) });
      if (unit) await notifyUnit(doc, unit.id, `doc-assign:${regNo}:${now}`);
      return doc;
    },

    async registerOutgoing(input: OutgoingInput, actor: Actor): Promise<DocumentView> {
      const key = docNumberKey(input.docNumber);
      const existing = await registeredAs('out', key);
      if (existing) throw new UserError(`文号「${input.docNumber}」已登记为 ${existing.regNo}，请勿重复登记。`);
      const year = yearOf(input.writtenDate);
      const { seq, regNo } = await numbering.next('FW', year);
      const now = clock.now();
      const doc = await insertDocument(
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
        null,
      );
      await audit.record(actor, '发文登记', regNo, null, { title: doc.title, docNumber: doc.docNumber, recipients: doc.recipients, urgency: doc.urgency });
      return doc;
    },

    async assign(regNo: string, unitName: string, dueDate: LocalDate | undefined, actor: Actor, dueWorkdays: WorkdayCount | null = null): Promise<DocumentView> {
      const doc = await byRegNo(regNo, actor, { lock: true });
      if (doc.direction !== 'in') throw new UserError(`${doc.regNo} 是发文，只有收文需要分办`);
      if (doc.status === 'closed') throw new UserError(`${doc.regNo} 已办结，不能再分办`);
      const unit = await deps.units.resolve(unitName);
      if (dueDate && dueDate < doc.docDate) throw new UserError(`「时限」${dueDate} 早于收文日期 ${doc.docDate}`);
      const now = clock.now();
      await db.q
        .update(documents)
        .set({
          handlingUnitId: unit.id,
          // a new 时限 brings its own working-day count, or none (a fixed date)
          ...(dueDate ? { dueDate, dueWorkdays: dueWorkdays?.count ?? null, dueCountedFrom: dueWorkdays?.from ?? null } : {}),
          status: 'assigned',
          assignedAt: doc.assignedAt ?? now,
          assignedDate: doc.assignedDate ?? deps.today(),
          updatedAt: now,
        })
        .where(eq(documents.id, doc.id));
      const after = await byId(doc.id);
      await audit.record(actor, '公文分办', doc.regNo, snapshot(doc), snapshot(after));
      await deps.cardUpdates.changed(subjectOf('公文', doc.regNo));
      await notifyUnit(after, unit.id, `doc-assign:${doc.regNo}:${now}`);
      return after;
    },

    async close(regNo: string, result: string | undefined, actor: Actor): Promise<DocumentView> {
      const doc = await byRegNo(regNo, actor, { lock: true });
      if (doc.direction === 'out') throw new UserError(`${doc.regNo} 是发文：登记即已发出，无需办结`);
      if (doc.status === 'closed') throw new UserError(`${doc.regNo} 已于 ${doc.closedDate} 办结，无需重复办结`);
      const today = deps.today();
      const now = clock.now();
      await db.q
        .update(documents)
        .set({
          status: 'closed',
          closedAt: now,
          closedDate: today,
          closedOnTime: doc.dueDate ? today <= doc.dueDate : null,
          handlingWorkdays: Math.max(0, await deps.workdaysBetween(doc.docDate, today)),
          result: result ?? null,
          updatedAt: now,
        })
        .where(eq(documents.id, doc.id));
      const after = await byId(doc.id);
      await audit.record(actor, '公文办结', doc.regNo, snapshot(doc), snapshot(after));
      await deps.cardUpdates.changed(subjectOf('公文', doc.regNo));
      return after;
    },

    /** By registration number, then 文号, then keyword. */
    async find(query: string, actor: Actor): Promise<DocumentList> {
      if (parseRegNo(query, ['SW', 'FW'])) return { total: 1, capped: false, items: [await byRegNo(query, actor)] };
      // naming both directions lets SQLite seek the (direction, doc_number_key) index instead of scanning it
      const byNumber = await list(and(inArray(documents.direction, ['in', 'out']), eq(documents.docNumberKey, docNumberKey(query))), actor);
      if (byNumber.total > 0) return byNumber;
      // the newest matches the asker may see (one more than the cap, to tell it was reached): a
      // unit contact's are filtered before the cap, or a thousand newer documents of other units
      // would hide all of their own
      const ids = await search.newest(query, unitScope(actor), SEARCH_CANDIDATES + 1);
      if (!ids) throw new UserError('请给出登记号、文号或关键词，例如：公文查询 防汛');
      const total = ids.length;
      const rows = await selectViews()
        .where(idIn(db.dialect, documents.id, ids))
        .orderBy(sql`${documents.status} = 'closed'`, sql`${documents.dueDate} IS NULL`, asc(documents.dueDate), desc(documents.id))
        .limit(LIST_LIMIT);
      return { total: Math.min(total, SEARCH_CANDIDATES), capped: total > SEARCH_CANDIDATES, items: rows.map(toView) };
    },

    /** Open 收文: a 发文 is registered as sent and is nobody's to-do. */
    async todo(filter: TodoFilter, actor: Actor): Promise<DocumentList> {
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
    about: subjectOf('公文', doc.regNo),
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
