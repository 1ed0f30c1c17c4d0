// Making sure what must be seen is seen: urgent alerts (加急) made once per person, item and level;
// reads of the bot's messages recorded; a unit's daily deadline reminder left unread followed up — a
// working day later to the unit's other contacts, a working day after that, still read by nobody,
// to those responsible for its items still open — each step once.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { identities, messageReads, people, sentMessages, units, urgentAlerts } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { localDateOf, type LocalDate } from '../lib/dates';
import { card, type Subject } from '../lib/reply';
import type { CalendarService } from './calendar';
import { SENT_MESSAGES_KEPT_MS } from './card-updates';
import type { NotifyService } from './notify';
import type { DueItem, RemindersService } from './reminders';
import type { UnitsService } from './units';

/**
 * The platforms that can report when someone read the bot's message: Feishu by its read event,
 * DingTalk for work notices. Only one that has reported a read is followed up: without the event
 * subscribed (or with DingTalk's robot messages, whose reads are not asked) every reminder would look unread.
 */
export const READS_REPORTED = ['lark', 'dingtalk'];
/**
 * How long after sending a platform can still say whether a copy was read (DingTalk answers for a
 * work notice 24 hours); a follow-up past it says what is known — unread within that time — not
 * that the copy is unread now. A platform not named reports reads whenever they happen.
 */
export const READS_KNOWN_FOR_MS: Readonly<Record<string, number>> = { dingtalk: 24 * 3_600_000 };
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

type Copy = { id: number; outboxId: number; unitId: number; platform: string; userId: string | null; sentAt: number; subjects: Subject[] | null; escalated: number; escalatedAt: number | null; readAt: number | null };
type Reader = { personId: number; name: string };

// a copy as its recipient read it: the read is theirs, by their own id, whenever it came
const readOfCopy = and(eq(messageReads.platform, sentMessages.platform), eq(messageReads.messageId, sentMessages.messageId), eq(messageReads.userId, sentMessages.userId));

export function createEscalationService(
  db: Db,
  clock: Clock,
  deps: { calendar: CalendarService; reminders: RemindersService; notify: NotifyService; units: UnitsService; timezone: string },
) {
  /** The platforms among READS_REPORTED that have reported a read (in the time reads are kept). */
  async function reporting(): Promise<string[]> {
    const found = [];
    for (const platform of READS_REPORTED) if ((await db.q.select({ at: messageReads.readAt }).from(messageReads).where(eq(messageReads.platform, platform)).limit(1)).length) found.push(platform);
    return found;
  }

  /** The people behind the platform ids a reminder went to, by name. */
  async function recipients(copies: Copy[]): Promise<Reader[]> {
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

  /**
   * Takes the copies from the step before to `step`: on PostgreSQL a second run at the same time
   * waits for this one's commit, then finds them taken. Returns the ids taken.
   */
  async function claim(copies: Copy[], step: 1 | 2): Promise<number[]> {
    const taken = await db.q
      .update(sentMessages)
      .set({ escalated: step, escalatedAt: clock.now() })
      .where(and(inArray(sentMessages.id, copies.map((c) => c.id)), eq(sentMessages.escalated, step - 1)))
      .returning({ id: sentMessages.id });
    return taken.map((r) => r.id);
  }

  const nameOf = (p: { name: string }) => p.name || '（未具名）';
  const itemLines = (items: DueItem[]) => [
    ...items.slice(0, MAX_ITEM_LINES).map((i) => `${i.ref} ${i.title}（${i.what}，时限 ${i.due}）`),
    ...(items.length > MAX_ITEM_LINES ? [`……另有 ${items.length - MAX_ITEM_LINES} 件`] : []),
  ];

  /** Step one: the unit's other contacts hear who has not read it, and of what. */
  /** Copies some of which can no longer be known read: "within a day" is all that can be said of them. */
  const pastKnowing = (copies: Copy[]) => copies.some((c) => READS_KNOWN_FOR_MS[c.platform] !== undefined && clock.now() - c.sentAt > READS_KNOWN_FOR_MS[c.platform]!);

  async function toOtherContacts(unitId: number, unitName: string, sentOn: LocalDate, unread: Reader[], items: DueItem[], key: string, unknowable: boolean): Promise<number> {
    const contacts = await deps.units.contactsOf(unitId);
    // with one reader behind, everyone else; with several, each hears of the others
    const others = contacts.filter((c) => !(unread.length === 1 && c.personId === unread[0]!.personId)).map((c) => c.personId);
    if (others.length === 0) return 0;
    const reply = card({
      title: `提醒未读：${unitName} ${unread.length} 位联络员未读`,
      tone: 'warning',
      lines: [`${sentOn} 发给${unitName}联络员的到期提醒，${unread.map(nameOf).join('、')} ${unknowable ? '发出后一天内未阅读（此后是否阅读无从得知）' : '尚未阅读'}。请相互转告、及时办理：`, ...itemLines(items)],
    });
    return deps.notify.people(others, reply, key);
  }

  /** Step two: each 督办 item's 批示领导 hears of theirs; the admins of the items that name no leader. */
  async function toResponsible(unitName: string, sentOn: LocalDate, unread: Reader[], items: DueItem[], key: string, unknowable: boolean): Promise<number> {
    const byWhom = new Map<number | 'admins', DueItem[]>();
    for (const item of items) byWhom.set(item.leaderId ?? 'admins', [...(byWhom.get(item.leaderId ?? 'admins') ?? []), item]);
    let told = 0;
    for (const [whom, theirs] of byWhom) {
      const to = whom === 'admins' ? (await db.q.select({ id: people.id }).from(people).where(eq(people.role, 'admin')).orderBy(asc(people.id))).map((p) => p.id) : [whom];
      const reply = card({
        title: `提醒无人阅读：${unitName}`,
        tone: 'danger',
        lines: [`${sentOn} 发给${unitName}的到期提醒，联络员（${unread.map(nameOf).join('、')}）${unknowable ? '发出后一天内无人阅读（此后是否阅读无从得知）' : '两个工作日仍无人阅读'}，请督促办理：`, ...itemLines(theirs)],
      });
      told += await deps.notify.people(to, reply, `${key}:${whom}`);
    }
    return told;
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

    /** The copies on `platform` of reminders followed up while unread, sent after `since` and not read yet: what to ask the platform about. */
    async awaitingRead(platform: string, since: number): Promise<{ messageId: string; userId: string; sentAt: number }[]> {
      const rows = await db.q
        .select({ messageId: sentMessages.messageId, userId: sentMessages.userId, sentAt: sentMessages.sentAt })
        .from(sentMessages)
        .leftJoin(messageReads, readOfCopy)
        .where(and(eq(sentMessages.platform, platform), isNotNull(sentMessages.unitId), isNotNull(sentMessages.userId), gt(sentMessages.sentAt, since), isNull(messageReads.readAt)))
        .orderBy(asc(sentMessages.id));
      return rows.map((r) => ({ messageId: r.messageId, userId: r.userId!, sentAt: r.sentAt }));
    },

    /**
     * Records that someone read these of the bot's messages, whether or not they are marked sent
     * yet (the read may come first); a read already recorded stays as it was. Returns how many were new.
     */
    async read(platform: string, r: { userId: string; messageIds: readonly string[]; readAt: number }): Promise<number> {
      if (r.messageIds.length === 0) return 0;
      const rows = [...new Set(r.messageIds)].map((messageId) => ({ platform, messageId, userId: r.userId, readAt: r.readAt }));
      return db.tx(async () => changedRows(await db.q.insert(messageReads).values(rows).onConflictDoNothing()));
    },

    /**
     * Inside the reminders job's transaction (a working day): each unit's deadline reminder still
     * unread a working day after it was sent goes to the unit's other contacts; one that nobody
     * has read a working day after that, to those responsible for its items. A reminder whose
     * items are all closed is not followed up. Returns how many people were told.
     */
    async followUp(today: LocalDate): Promise<number> {
      const platforms = await reporting();
      if (platforms.length === 0) return 0;
      const copies = (await db.q
        .select({
          id: sentMessages.id,
          outboxId: sentMessages.outboxId,
          unitId: sentMessages.unitId,
          platform: sentMessages.platform,
          userId: sentMessages.userId,
          sentAt: sentMessages.sentAt,
          subjects: sentMessages.subjects,
          escalated: sentMessages.escalated,
          escalatedAt: sentMessages.escalatedAt,
          readAt: messageReads.readAt,
        })
        .from(sentMessages)
        .leftJoin(messageReads, readOfCopy)
        .where(and(isNotNull(sentMessages.unitId), inArray(sentMessages.platform, platforms), gt(sentMessages.sentAt, clock.now() - LOOKBACK_MS), lt(sentMessages.escalated, 2)))
        .orderBy(asc(sentMessages.id))) as Copy[];
      // one reminder: the copies of one outbox row, each person's own message
      const reminders = new Map<number, Copy[]>();
      for (const c of copies) reminders.set(c.outboxId, [...(reminders.get(c.outboxId) ?? []), c]);
      const calendar = await deps.calendar.current();
      const aWorkdayAfter = (at: number | null) => at !== null && calendar.workdaysBetween(localDateOf(at, deps.timezone), today) >= 1;
      let told = 0;
      for (const [outboxId, reminder] of reminders) {
        if (!aWorkdayAfter(reminder[0]!.sentAt)) continue;
        const unread = reminder.filter((c) => c.readAt === null);
        const fresh = unread.filter((c) => c.escalated === 0);
        // step two: every copy past step one a working day ago or more, none read since
        const step = fresh.length ? 1 : unread.length === reminder.length && unread.every((c) => aWorkdayAfter(c.escalatedAt)) ? 2 : null;
        if (step === null) continue;
        const taken = await claim(step === 1 ? fresh : unread, step);
        if (taken.length === 0) continue;
        const items = await deps.reminders.stillOpen(reminder[0]!.subjects ?? []);
        if (items.length === 0) {
          // all of it done meanwhile: nothing to follow up, now or later
          await db.q.update(sentMessages).set({ escalated: 2 }).where(inArray(sentMessages.id, taken));
          continue;
        }
        const { unitId } = reminder[0]!;
        const unitName = (await deps.units.get(unitId))?.name ?? `单位 ${unitId}`;
        const sentOn = localDateOf(reminder[0]!.sentAt, deps.timezone);
        const takenCopies = reminder.filter((c) => taken.includes(c.id));
        const readers = await recipients(takenCopies);
        told +=
          step === 1
            ? await toOtherContacts(unitId, unitName, sentOn, readers, items, `unread:${outboxId}:1`, pastKnowing(takenCopies))
            : await toResponsible(unitName, sentOn, readers, items, `unread:${outboxId}:2`, pastKnowing(takenCopies));
      }
      return told;
    },

    /** Per unit, how many of its contacts have a reminder sent between `from` and `to` (instants) still unread; most first. */
    async unreadByUnit(from: number, to: number): Promise<UnitUnread[]> {
      const platforms = await reporting();
      if (platforms.length === 0) return [];
      const contacts = sql<number>`count(DISTINCT ${sentMessages.userId})`.mapWith(Number);
      return db.q
        .select({ unitId: units.id, unit: units.name, contacts })
        .from(sentMessages)
        .innerJoin(units, eq(units.id, sentMessages.unitId))
        .leftJoin(messageReads, readOfCopy)
        .where(and(isNull(messageReads.readAt), inArray(sentMessages.platform, platforms), gte(sentMessages.sentAt, from), lt(sentMessages.sentAt, to)))
        .groupBy(units.id, units.name)
        .orderBy(desc(contacts), asc(units.name));
    },

    /** Forgets reads older than sent messages are kept. Returns how many. */
    async purge(): Promise<number> {
      return db.tx(async () => changedRows(await db.q.delete(messageReads).where(lt(messageReads.readAt, clock.now() - SENT_MESSAGES_KEPT_MS))));
    },
  };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
