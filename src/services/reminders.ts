// What the scheduled reminders say, computed from the database as it stands: every open
// document, suggestion/proposal and supervision item near or past its deadline, gathered into
// one message per person ("早发现、早预警"). Each item is reminded of once a day per kind.
import { and, asc, eq, inArray, isNotNull, lte, ne, type AnyColumn } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents, people, proposals, proposalUnits, remindersSent, supervisionItems, supervisionUnits, unitContacts } from '../../db/schema';
import { daysBetween, type LocalDate } from '../lib/dates';
import type { Attention } from '../lib/delivery';
import { card, type Reply, type Subject } from '../lib/reply';
import type { CalendarService } from './calendar';
import { subjectOf } from './card-updates';
import { nextFeedbackDue, OPEN } from './supervision-rules';

export type ReminderKind = 'overdue' | 'today' | 'soon' | 'escalation' | 'feedback';

export interface DueItem {
  ref: string;
  what: '公文' | '建议' | '提案' | '督办';
  title: string;
  due: LocalDate;
  /** the handling or lead unit; null for a 收文 not yet handed to one (待分办) */
  unitId: number | null;
  /** the instructing leader of a supervision item */
  leaderId: number | null;
  /** the command that acts on it */
  action: string;
}

export interface Entry {
  item: DueItem;
  kind: ReminderKind;
  /** calendar days past due (overdue, escalation), or working days left (soon) */
  days: number;
  /** for what its readers are alerted of urgently (加急), once: the item, the level and the deadline, e.g. supervision:DB-2026-0001:overdue-3:2026-11-25 */
  urgent?: string;
}

/** One message: the same items for everyone in personIds (the contacts of one unit, say). */
export interface Digest {
  personIds: number[];
  entries: Entry[];
  reply: Reply;
  /** the urgent keys of its entries; for one unit's deadline reminder, the unit and the items, to follow it up while unread */
  attention: Attention;
}

/** Entries gathered by who reads them: a unit's list is read by its contacts, a leader's by the leader. */
type Lists = Map<string, { readers: readonly number[]; entries: Entry[] }>;

function addTo(lists: Lists, key: string, readers: readonly number[], entry: Entry): void {
  const list = lists.get(key);
  if (list) list.entries.push(entry);
  else if (readers.length) lists.set(key, { readers, entries: [entry] });
}

/** Days before a deadline that a reminder starts, in working days. */
export const SOON_WORKDAYS = 3;
const MAX_LINES = 30;
/** Rows written by one statement when recording what was reminded of. */
const RECORD_BATCH = 500;
const ORDER: Record<ReminderKind, number> = { escalation: 0, overdue: 1, feedback: 2, today: 3, soon: 4 };

/**
 * `escalateAfterWorkdays` (ESCALATE_AFTER_WORKDAYS): working days overdue from which the leader
 * hears of an item too, and a supervision item's lead unit is alerted urgently.
 */
export function createRemindersService(db: Db, deps: { calendar: CalendarService; escalateAfterWorkdays: number }) {
  const escalateAfter = deps.escalateAfterWorkdays;
  /**
   * Open items with a deadline: those due by a horizon (overdue ones included), or those of some
   * subjects; in one order on either dialect: the digests follow it.
   */
  async function openItems(scope: { dueBy: LocalDate } | { subjects: readonly Subject[] }): Promise<DueItem[]> {
    const only = (kind: string, regNo: AnyColumn, due: AnyColumn) =>
      'dueBy' in scope ? lte(due, scope.dueBy) : and(isNotNull(due), inArray(regNo, scope.subjects.flatMap((s) => (s.startsWith(`${kind}:`) ? [s.slice(kind.length + 1)] : []))));
    const docs = (
      await db.q
        .select({ ref: documents.regNo, title: documents.title, due: documents.dueDate, unitId: documents.handlingUnitId })
        .from(documents)
        .where(and(inArray(documents.status, ['registered', 'assigned']), only('document', documents.regNo, documents.dueDate)))
        .orderBy(asc(documents.dueDate), asc(documents.id))
    ).map(
      (d): DueItem => ({ ref: d.ref, what: '公文', title: d.title, due: d.due!, unitId: d.unitId, leaderId: null, action: d.unitId === null ? `公文分办 ${d.ref} 承办单位=` : `公文办结 ${d.ref}` }),
    );
    const props = (
      await db.q
        .select({ ref: proposals.regNo, kind: proposals.kind, title: proposals.title, due: proposals.dueDate, unitId: proposalUnits.unitId })
        .from(proposals)
        .innerJoin(proposalUnits, and(eq(proposalUnits.proposalId, proposals.id), eq(proposalUnits.lead, true)))
        .where(and(inArray(proposals.status, ['assigned', 'in_progress']), only('proposal', proposals.regNo, proposals.dueDate)))
        .orderBy(asc(proposals.dueDate), asc(proposals.id))
    ).map((p): DueItem => ({ ref: p.ref, what: p.kind, title: p.title, due: p.due, unitId: p.unitId, leaderId: null, action: `${p.kind}查询 ${p.ref}` }));
    const items = (
      await db.q
        .select({ ref: supervisionItems.regNo, title: supervisionItems.title, due: supervisionItems.deadline, unitId: supervisionUnits.unitId, leaderId: supervisionItems.leaderId })
        .from(supervisionItems)
        .innerJoin(supervisionUnits, and(eq(supervisionUnits.itemId, supervisionItems.id), eq(supervisionUnits.lead, true)))
        .where(and(inArray(supervisionItems.status, OPEN), only('supervision', supervisionItems.regNo, supervisionItems.deadline)))
        .orderBy(asc(supervisionItems.deadline), asc(supervisionItems.id))
    ).map((s): DueItem => ({ ref: s.ref, what: '督办', title: s.title, due: s.due, unitId: s.unitId, leaderId: s.leaderId, action: `督办查询 ${s.ref}` }));
    return [...docs, ...props, ...items];
  }

  async function contactsByUnit(): Promise<Map<number, number[]>> {
    const map = new Map<number, number[]>();
    for (const c of await db.q.select().from(unitContacts).orderBy(asc(unitContacts.unitId), asc(unitContacts.personId))) map.set(c.unitId, [...(map.get(c.unitId) ?? []), c.personId]);
    return map;
  }

  async function withRole(role: 'leader' | 'staff' | 'admin'): Promise<number[]> {
    return (await db.q.select({ id: people.id }).from(people).where(eq(people.role, role)).orderBy(asc(people.id))).map((p) => p.id);
  }

  /** The registrars, looked up once per run and only if some item needs them. */
  function registrarsOnce(): () => Promise<number[]> {
    let ids: Promise<number[]> | null = null;
    const lookUp = async () => {
      const staff = await withRole('staff');
      return staff.length ? staff : withRole('admin');
    };
    return () => (ids ??= lookUp());
  }

  /**
   * Who reads an item's reminders: its unit's contacts; for a 收文 not yet handed to a unit, or a
   * unit nobody is contact for, the office's registrars (staff, or the admins if there are none),
   * who hand it on — an open item with a deadline always reaches someone.
   */
  async function readersOf(unitId: number | null, contacts: Map<number, number[]>, registrars: () => Promise<number[]>): Promise<{ key: string; readers: number[] }> {
    const unitContacts = unitId === null ? [] : (contacts.get(unitId) ?? []);
    return unitContacts.length ? { key: `unit ${unitId}`, readers: unitContacts } : { key: 'registrars', readers: await registrars() };
  }

  /**
   * One digest for each set of people who read the same lists (most often: one unit's contacts),
   * leaving out the items already reminded of today (an earlier slot).
   */
  async function digests(today: LocalDate, lists: Lists, render: (entries: Entry[]) => Reply, followUp: boolean): Promise<Digest[]> {
    const unitOf = (signature: string) => (/^unit \d+$/.test(signature) ? Number(signature.slice(5)) : null);
    const told = new Set((await db.q.select().from(remindersSent).where(eq(remindersSent.date, today))).map((r) => `${r.ref}|${r.kind}`));
    const readsOf = new Map<number, string[]>();
    for (const [key, list] of lists) for (const personId of list.readers) readsOf.set(personId, [...(readsOf.get(personId) ?? []), key]);
    const audiences = new Map<string, number[]>();
    for (const [personId, keys] of readsOf) {
      const signature = keys.join('|');
      const audience = audiences.get(signature);
      if (audience) audience.push(personId);
      else audiences.set(signature, [personId]);
    }
    const out: Digest[] = [];
    for (const [signature, personIds] of audiences) {
      const entries = signature
        .split('|')
        .flatMap((key) => lists.get(key)!.entries)
        .filter((e) => !told.has(`${e.item.ref}|${e.kind}`))
        .sort(byUrgency);
      if (entries.length === 0) continue;
      const urgent = entries.flatMap((e) => (e.urgent ? [e.urgent] : []));
      const unitId = followUp ? unitOf(signature) : null;
      const subjects = [...new Set(entries.map((e) => subjectOf(e.item.what, e.item.ref)))];
      out.push({ personIds, entries, reply: render(entries), attention: { ...(urgent.length ? { urgent } : {}), ...(unitId !== null ? { unitId, subjects } : {}) } });
    }
    return out;
  }

  return {
    /** The deadline reminders for `today`: unit contacts hear of their items, leaders of long-overdue ones. */
    async deadlines(today: LocalDate): Promise<Digest[]> {
      const calendar = await deps.calendar.current();
      const soonLimit = calendar.addWorkdays(today, SOON_WORKDAYS);
      const contacts = await contactsByUnit();
      const allLeaders = await withRole('leader');
      const registrars = registrarsOnce();
      const lists: Lists = new Map();
      for (const item of await openItems({ dueBy: soonLimit })) {
        const late = daysBetween(item.due, today);
        const kind: ReminderKind = late > 0 ? 'overdue' : late === 0 ? 'today' : 'soon';
        const days = kind === 'soon' ? calendar.workdaysBetween(today, item.due) : late;
        const { key, readers } = await readersOf(item.unitId, contacts, registrars);
        const longOverdue = kind === 'overdue' && calendar.workdaysBetween(item.due, today) >= escalateAfter;
        // a supervision item long overdue is pressed on its lead unit's contacts urgently, once per deadline (an extended one may fall overdue again)
        const urgent = longOverdue && item.what === '督办' ? { urgent: `${subjectOf('督办', item.ref)}:overdue-${escalateAfter}:${item.due}` } : {};
        addTo(lists, key, readers, { item, kind, days, ...urgent });
        if (longOverdue) {
          const escalation: Entry = { item, kind: 'escalation', days: late };
          if (item.leaderId) addTo(lists, `leader ${item.leaderId}`, [item.leaderId], escalation);
          else addTo(lists, 'leaders', allLeaders, escalation);
        }
      }
      // a unit's daily deadline reminder is followed up while unread
      return digests(today, lists, (entries) => deadlineCard(entries, escalateAfter), true);
    },

    /** Those of the items that are still open. */
    stillOpen(subjects: readonly Subject[]): Promise<DueItem[]> {
      return openItems({ subjects });
    },

    /** Weekly and monthly supervision items whose feedback is due today or already late, to the lead unit. */
    async feedback(today: LocalDate): Promise<Digest[]> {
      const rows = await db.q
        .select({ item: supervisionItems, unitId: supervisionUnits.unitId })
        .from(supervisionItems)
        .innerJoin(supervisionUnits, and(eq(supervisionUnits.itemId, supervisionItems.id), eq(supervisionUnits.lead, true)))
        .where(and(inArray(supervisionItems.status, OPEN), ne(supervisionItems.feedbackCycle, '一次')))
        .orderBy(asc(supervisionItems.id));
      const calendar = await deps.calendar.current();
      const contacts = await contactsByUnit();
      const registrars = registrarsOnce();
      const lists: Lists = new Map();
      for (const { item, unitId } of rows) {
        const due = nextFeedbackDue(item, (d) => calendar.nextWorkdayFrom(d));
        if (due > today) continue;
        const entry: Entry = {
          item: { ref: item.regNo, what: '督办', title: item.title, due, unitId, leaderId: item.leaderId, action: `督办反馈 ${item.regNo} ` },
          kind: 'feedback',
          days: daysBetween(due, today),
        };
        const { key, readers } = await readersOf(unitId, contacts, registrars);
        addTo(lists, key, readers, entry);
      }
      return digests(today, lists, feedbackCard, false);
    },

    /** Marks the digests' items reminded of today, inside the transaction that queues the messages. */
    async record(today: LocalDate, sent: Digest[]): Promise<void> {
      const rows = new Map<string, typeof remindersSent.$inferInsert>();
      for (const d of sent) for (const e of d.entries) rows.set(`${e.item.ref}|${e.kind}`, { date: today, ref: e.item.ref, kind: e.kind });
      const all = [...rows.values()];
      // a few statements rather than one a row, each well under either dialect's limit on bound values
      for (let i = 0; i < all.length; i += RECORD_BATCH) await db.q.insert(remindersSent).values(all.slice(i, i + RECORD_BATCH)).onConflictDoNothing();
    },

    /** For a subscribed chat: how many items stand where, and the most overdue ones. */
    summary(today: LocalDate, sent: Digest[]): Reply | null {
      const entries = new Map<string, Entry>();
      for (const d of sent) for (const e of d.entries) if (e.kind !== 'escalation' && e.kind !== 'feedback') entries.set(e.item.ref, e);
      if (entries.size === 0) return null;
      const all = [...entries.values()].sort(byUrgency);
      const count = (k: ReminderKind) => all.filter((e) => e.kind === k).length;
      return card({
        title: `今日到期提醒（${today}）`,
        tone: count('overdue') ? 'danger' : 'warning',
        fields: [
          ['已逾期', `${count('overdue')} 件`],
          ['今天到期', `${count('today')} 件`],
          [`${SOON_WORKDAYS}个工作日内到期`, `${count('soon')} 件`],
        ],
        lines: all.slice(0, 10).map(line),
      });
    },
  };
}

function byUrgency(a: Entry, b: Entry): number {
  return ORDER[a.kind] - ORDER[b.kind] || (a.kind === 'soon' ? a.days - b.days : b.days - a.days) || (a.item.ref < b.item.ref ? -1 : 1);
}

function line(e: Entry): string {
  const when = { escalation: `逾期 ${e.days} 天`, overdue: `逾期 ${e.days} 天`, today: '今天到期', soon: `还剩 ${e.days} 个工作日`, feedback: e.days > 0 ? `反馈已超期 ${e.days} 天` : '今天应反馈' }[e.kind];
  return `【${when}】${e.item.ref} ${e.item.title}（${e.item.what}${e.item.unitId === null ? '，待分办' : ''}，时限 ${e.item.due}）`;
}

function capped(entries: Entry[]): string[] {
  const lines = entries.slice(0, MAX_LINES).map(line);
  return entries.length > MAX_LINES ? [...lines, `……另有 ${entries.length - MAX_LINES} 件，发送「待办公文」「督办逾期」等查看`] : lines;
}

/** A reminder of one item is a card about it, kept true as it changes; one of several items is about none. */
function about(entries: Entry[]): { about?: Subject } {
  return entries.length === 1 ? { about: subjectOf(entries[0]!.item.what, entries[0]!.item.ref) } : {};
}

const ACTION_LABEL: Record<string, string> = { 公文办结: '办结', 公文分办: '分办' };

function deadlineCard(entries: Entry[], escalateAfter: number): Reply {
  const escalations = entries.filter((e) => e.kind === 'escalation').length;
  const overdue = entries.filter((e) => e.kind === 'overdue').length;
  return card({
    ...about(entries),
    title: escalations ? `逾期督促：${escalations} 件已逾期 ${escalateAfter} 个工作日以上` : `到期提醒：${entries.length} 件`,
    tone: escalations || overdue ? 'danger' : 'warning',
    lines: capped(entries),
    actions: entries.slice(0, 3).map((e) => ({
      label: `${ACTION_LABEL[e.item.action.split(' ')[0]!] ?? '查看'} ${e.item.ref}`,
      command: e.item.action,
      // a leader told of an overdue item may not close it, but may look at it
      fallback: { label: `查看 ${e.item.ref}`, command: `${e.item.what}查询 ${e.item.ref}` },
    })),
  });
}

function feedbackCard(entries: Entry[]): Reply {
  return card({
    ...about(entries),
    title: `督办反馈提醒：${entries.length} 件`,
    tone: entries.some((e) => e.days > 0) ? 'danger' : 'warning',
    lines: [...capped(entries), '反馈请发送：督办反馈 编号 进展情况'],
    actions: entries.slice(0, 3).map((e) => ({ label: `查看 ${e.item.ref}`, command: `督办查询 ${e.item.ref}` })),
  });
}

export type RemindersService = ReturnType<typeof createRemindersService>;
