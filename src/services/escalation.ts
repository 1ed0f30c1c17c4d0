// Making sure what must be seen is seen: urgent alerts (加急) made once per person, item and level;
// reads of the bot's one-to-one reminders recorded; a reminder left unread followed up — a working
// day later to the unit's other contacts, a working day after that, still read by nobody, to the
// leader responsible — each step once.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { identities, people, sentMessages, units, urgentAlerts } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { localDateOf, type LocalDate } from '../lib/dates';
import { card } from '../lib/reply';
import type { CalendarService } from './calendar';
import type { NotifyService } from './notify';
import type { DueItem, RemindersService } from './reminders';
import type { UnitsService } from './units';

/** The platforms that report when someone read the bot's message (Feishu); elsewhere nothing is followed up. */
export const READS_REPORTED = ['lark'];
// How far back reminders are looked at: two working days, even across the Spring Festival, fall well inside.
const LOOKBACK_MS = 20 * 86_400_000;
const MAX_ITEM_LINES = 10;

export interface UnitUnread {
  unitId: number;
  unit: string;
  /** contacts with a reminder of the period still unread */
  contacts: number;
}

/** "县住建局 2 位联络员未读；县应急管理局 1 位联络员未读", as the report and the dashboard show it. */
export function unreadText(rows: readonly UnitUnread[]): string {
  return rows.map((r) => `${r.unit} ${r.contacts} 位联络员未读`).join('；');
}

type Copy = { id: number; outboxId: number; unitId: number; platform: string; userId: string | null; sentAt: number; readAt: number | null; escalated: number };

export function createEscalationService(
  db: Db,
  clock: Clock,
  deps: { calendar: CalendarService; reminders: RemindersService; notify: NotifyService; units: UnitsService; timezone: string },
) {
  /** The people behind the platform ids a reminder went to, by name. */
  async function recipients(copies: Copy[]): Promise<{ personId: number; name: string }[]> {
    const found = [];
    for (const c of copies) {
      if (!c.userId) continue;
      const [p] = await db.q
        .select({ personId: people.id, name: people.name })
        .from(identities)
        .innerJoin(people, eq(people.id, identities.personId))
        .where(and(eq(identities.platform, c.platform), eq(identities.userId, c.userId)))
        .limit(1);
      if (p) found.push(p);
    }
    return found;
  }

  const nameOf = (p: { name: string }) => p.name || '（未具名）';

  /** Step one: the unit's other contacts hear who has not read it. */
  async function toOtherContacts(unitId: number, unitName: string, sentOn: LocalDate, unread: { personId: number; name: string }[], key: string): Promise<number> {
    const contacts = await deps.units.contactsOf(unitId);
    // with one reader behind, everyone else; with several, each hears of the others
    const others = contacts.filter((c) => !(unread.length === 1 && c.personId === unread[0]!.personId)).map((c) => c.personId);
    if (others.length === 0) return 0;
    const reply = card({
      title: `提醒未读：${unitName} ${unread.length} 位联络员未读`,
      tone: 'warning',
      lines: [`${sentOn} 发给${unitName}联络员的到期提醒，${unread.map(nameOf).join('、')} 尚未阅读。`, '请相互转告、及时办理；发送「待办公文」「督办逾期」可查看待办事项。'],
    });
    return deps.notify.people(others, reply, key);
  }

  /** Step two: the leaders responsible for the unit's items (a 督办 item's 批示领导; for anything else, every leader). */
  async function toLeader(unitId: number, unitName: string, sentOn: LocalDate, unread: { personId: number; name: string }[], today: LocalDate, key: string): Promise<number> {
    const items = await deps.reminders.dueFor(unitId, today);
    const named = [...new Set(items.flatMap((i) => (i.leaderId === null ? [] : [i.leaderId])))];
    const everyLeader = items.length === 0 || items.some((i) => i.leaderId === null);
    const leaders = everyLeader ? [...new Set([...named, ...(await db.q.select({ id: people.id }).from(people).where(eq(people.role, 'leader')).orderBy(asc(people.id))).map((p) => p.id)])] : named;
    const lines = items.slice(0, MAX_ITEM_LINES).map((i: DueItem) => `${i.ref} ${i.title}（${i.what}，时限 ${i.due}）`);
    const reply = card({
      title: `提醒无人阅读：${unitName}`,
      tone: 'danger',
      lines: [`${sentOn} 发给${unitName}的到期提醒，联络员（${unread.map(nameOf).join('、')}）两个工作日仍无人阅读，请督促办理：`, ...lines, ...(items.length > MAX_ITEM_LINES ? [`……另有 ${items.length - MAX_ITEM_LINES} 件`] : [])],
    });
    return deps.notify.people(leaders, reply, key);
  }

  return {
    /**
     * Takes an urgent alert's keys for a person before the alert is made, in a transaction of its
     * own (the send is under way, outside any). True when at least one key is new.
     */
    async urgentOnce(platform: string, userId: string, keys: readonly string[], messageId: string): Promise<boolean> {
      if (keys.length === 0) return false;
      const at = clock.now();
      return db.tx(async () => changedRows(await db.q.insert(urgentAlerts).values(keys.map((key) => ({ platform, userId, key, messageId, at }))).onConflictDoNothing()) > 0);
    },

    /** Records that someone read these of the bot's messages to them; a read already recorded stays as it was. Returns how many were new. */
    async read(platform: string, r: { userId: string; messageIds: readonly string[]; readAt: number }): Promise<number> {
      if (r.messageIds.length === 0) return 0;
      return db.tx(async () =>
        changedRows(
          await db.q
            .update(sentMessages)
            .set({ readAt: r.readAt })
            .where(and(eq(sentMessages.platform, platform), eq(sentMessages.userId, r.userId), inArray(sentMessages.messageId, [...r.messageIds]), isNull(sentMessages.readAt))),
        ),
      );
    },

    /**
     * Inside the reminders job's transaction (a working day): each reminder to a unit's contacts
     * still unread a working day after it was sent goes to the unit's other contacts; one that
     * nobody has read a working day after that, to the leader. Returns how many people were told.
     */
    async followUp(today: LocalDate, dedupeKey: string): Promise<number> {
      const copies = (await db.q
        .select({ id: sentMessages.id, outboxId: sentMessages.outboxId, unitId: sentMessages.unitId, platform: sentMessages.platform, userId: sentMessages.userId, sentAt: sentMessages.sentAt, readAt: sentMessages.readAt, escalated: sentMessages.escalated })
        .from(sentMessages)
        .where(and(isNotNull(sentMessages.unitId), inArray(sentMessages.platform, READS_REPORTED), gt(sentMessages.sentAt, clock.now() - LOOKBACK_MS), lt(sentMessages.escalated, 2)))
        .orderBy(asc(sentMessages.id))) as Copy[];
      // one reminder: the copies of one outbox row, each person's own message
      const reminders = new Map<number, Copy[]>();
      for (const c of copies) reminders.set(c.outboxId, [...(reminders.get(c.outboxId) ?? []), c]);
      const calendar = await deps.calendar.current();
      let told = 0;
      for (const [outboxId, reminder] of reminders) {
        const sentOn = localDateOf(reminder[0]!.sentAt, deps.timezone);
        if (calendar.workdaysBetween(sentOn, today) < 1) continue;
        const unread = reminder.filter((c) => c.readAt === null);
        if (unread.length === 0) continue;
        const unitId = reminder[0]!.unitId;
        const unitName = (await deps.units.get(unitId))?.name ?? `单位 ${unitId}`;
        const fresh = unread.filter((c) => c.escalated === 0);
        let step: 1 | 2 | null = null;
        if (fresh.length) {
          told += await toOtherContacts(unitId, unitName, sentOn, await recipients(fresh), `${dedupeKey}:unread:${outboxId}:1`);
          step = 1;
        } else if (unread.length === reminder.length) {
          // every copy past step one on an earlier run, none read since
          told += await toLeader(unitId, unitName, sentOn, await recipients(unread), today, `${dedupeKey}:unread:${outboxId}:2`);
          step = 2;
        }
        if (step !== null) await db.q.update(sentMessages).set({ escalated: step }).where(inArray(sentMessages.id, (step === 1 ? fresh : unread).map((c) => c.id)));
      }
      return told;
    },

    /** Per unit, how many of its contacts have a reminder sent between `from` and `to` (instants) still unread; most first. */
    async unreadByUnit(from: number, to: number): Promise<UnitUnread[]> {
      const contacts = sql<number>`count(DISTINCT ${sentMessages.userId})`.mapWith(Number);
      return db.q
        .select({ unitId: units.id, unit: units.name, contacts })
        .from(sentMessages)
        .innerJoin(units, eq(units.id, sentMessages.unitId))
        .where(and(isNull(sentMessages.readAt), inArray(sentMessages.platform, READS_REPORTED), gte(sentMessages.sentAt, from), lt(sentMessages.sentAt, to)))
        .groupBy(units.id, units.name)
        .orderBy(desc(contacts), asc(units.name));
    },
  };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
