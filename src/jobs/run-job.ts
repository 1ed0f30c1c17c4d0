// One run of a scheduled job for one slot, exactly once: the run's record, every reminder's
// record and every message it queues commit in one transaction, so a second start for the same
// slot (an overlapping process, a restart mid-run) finds the run done, or on PostgreSQL still
// under way in another instance (services/job-runs.ts), and sends nothing.
import { calendarMissingCard } from '../../commands/calendar';
import { reportCard } from '../../commands/stats';
import { addDays, formatLocalDateTime, localDateOf, startOfLocalDate } from '../lib/dates';
import { card, type Reply } from '../lib/reply';
import type { Services } from '../services';
import { systemActor } from '../services/actor';
import { unreadText, type UnitUnread } from '../services/escalation';
import type { Digest } from '../services/reminders';
import { weekOf } from '../services/stats';

export const JOBS = ['reminders', 'feedback', 'weekly-report', 'calendar-check'] as const;
export type JobName = (typeof JOBS)[number];

export interface JobSummary {
  job: JobName;
  /** local minute the run belongs to, e.g. 2026-12-01T08:50 */
  slot: string;
  outcome: 'done' | 'already-ran' | 'not-a-workday';
  recipients: number;
  chats: number;
  messages: number;
  items: number;
}

export interface QueuedMessage {
  platform: string;
  target: unknown;
  reply: Reply;
}

/** Thrown to roll a dry run back once it has seen what it would queue. */
class DryRun extends Error {
  constructor(readonly summary: JobSummary, readonly queued: QueuedMessage[]) {
    super('dry run');
  }
}

/** The week's reminders still unread, by unit, under the figures (where reads are reported). */
function withUnread(reply: Reply, unread: UnitUnread[]): Reply {
  if (!('card' in reply) || unread.length === 0) return reply;
  return { ...reply, card: { ...reply.card, lines: [...(reply.card.lines ?? []), `提醒未读：${unreadText(unread)}`] } };
}

export function slotOf(at: number, timezone: string): string {
  return formatLocalDateTime(at, timezone).replace(' ', 'T');
}

export async function runJob(services: Services, job: JobName, at: number, options: { dryRun?: boolean } = {}): Promise<{ summary: JobSummary; queued?: QueuedMessage[] }> {
  const { db, calendar, reminders, escalation, notify, outbox, chats, people, stats, jobRuns } = services;
  const slot = slotOf(at, services.timezone);
  const today = localDateOf(at, services.timezone);
  const key = `job:${job}:${slot}`;
  const summary: JobSummary = { job, slot, outcome: 'done', recipients: 0, chats: 0, messages: 0, items: 0 };

  const toChats = async (subscription: '周报' | '提醒', reply: Reply) => {
    for (const chat of await chats.subscribedTo(subscription)) {
      if (await outbox.enqueue({ dedupeKey: `${key}:chat:${chat.platform}:${chat.chatId}`, platform: chat.platform, target: { kind: 'chat', chatId: chat.chatId }, reply })) summary.chats++;
    }
  };
  const toPeople = async (digests: Digest[]) => {
    // people with the same items (the contacts of one unit) share one message row
    for (const d of digests) summary.messages += await notify.people(d.personIds, d.reply, key, d.attention);
    summary.recipients = digests.reduce((n, d) => n + d.personIds.length, 0);
    summary.items = new Set(digests.flatMap((d) => d.entries.map((e) => e.item.ref))).size;
    await reminders.record(today, digests);
  };

  try {
    await db.tx(async () => {
      if (!(await jobRuns.claim(job, slot))) {
        summary.outcome = 'already-ran';
        return;
      }
      if (job === 'calendar-check') {
        // weekly, workday or not: the calendar is what may be wrong
        const missing = await calendar.missingYears(today);
        if (missing.length) {
          const admins = (await people.listWithRoles()).filter((p) => p.role === 'admin');
          summary.messages += await notify.people(admins.map((a) => a.id), card(calendarMissingCard(missing)), key);
          summary.recipients = admins.length;
        }
      } else if (job !== 'weekly-report' && !(await calendar.isWorkday(today))) {
        summary.outcome = 'not-a-workday';
      } else if (job === 'reminders') {
        const digests = await reminders.deadlines(today);
        await toPeople(digests);
        summary.messages += await escalation.followUp(today);
        const overview = reminders.summary(today, digests);
        if (overview) await toChats('提醒', overview);
      } else if (job === 'feedback') {
        await toPeople(await reminders.feedback(today));
      } else {
        const week = weekOf(addDays(today, -7));
        const reply = withUnread(reportCard(await stats.report(week, systemActor('weekly-report')), '上周统计'), await escalation.unreadByUnit(startOfLocalDate(week.from, services.timezone), startOfLocalDate(addDays(week.to, 1), services.timezone)));
        const leaders = (await people.listWithRoles()).filter((p) => p.role === 'leader');
        summary.messages += await notify.people(leaders.map((l) => l.id), reply, key);
        summary.recipients = leaders.length;
        await toChats('周报', reply);
      }
      summary.messages += summary.chats;
      await jobRuns.finish(job, slot, summary);
      if (options.dryRun) throw new DryRun(summary, await outbox.queuedUnder(key));
    });
  } catch (error) {
    if (error instanceof DryRun) return { summary: error.summary, queued: error.queued };
    throw error;
  }
  return { summary };
}
