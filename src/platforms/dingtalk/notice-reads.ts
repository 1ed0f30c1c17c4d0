// Who has read the work notices (工作通知) the bot sent: DingTalk reports no read as it happens,
// but answers for a task (getsendresult) during the 24 hours it keeps the task. Each task the
// bot's followed-up reminders went in is asked a few times within those hours — soon after it was
// sent, later the same day, and once more just before DingTalk forgets it; a question DingTalk
// refuses is asked again every round until answered — and each read found is recorded as Feishu's
// read events are, feeding the same unread figures and follow-ups. A read after DingTalk has
// forgotten the task stays unknown: that copy counts as unread.
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock';
import { createLoop } from '../../lib/loop';
import { noticeCopy, type DingtalkApi } from './client';

/** How long DingTalk answers for a work notice's task (its getsendresult documentation). */
export const NOTICE_RESULTS_KEPT_MS = 24 * 3_600_000;
// after sending: half an hour, two hours, six hours, and half an hour before the results go
const CHECKS_MS = [30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, NOTICE_RESULTS_KEPT_MS - 30 * 60_000];
const ROUND_EVERY_MS = 5 * 60_000;

export interface UnreadCopy {
  messageId: string;
  userId: string;
  sentAt: number;
}

export interface NoticeReadsOptions {
  api: DingtalkApi;
  agentId: number;
  /** the copies of followed-up reminders sent since then and not read yet */
  awaitingRead(since: number): Promise<UnreadCopy[]>;
  /** records a read (resolves once committed); the same read again changes nothing */
  read(r: { userId: string; messageIds: string[]; readAt: number }): Promise<void>;
  clock: Clock;
  log: Logger;
}

export function createNoticeReads(options: NoticeReadsOptions) {
  const { api, agentId, clock, log } = options;
  // the time of the last round that looked: a task is asked when one of its checks fell due since
  let lastRound = -Infinity;
  // tasks whose question DingTalk refused: asked again every round until answered or forgotten
  const refused = new Set<string>();
  let rounds: Promise<void> = Promise.resolve();

  async function round(): Promise<void> {
    const now = clock.now();
    const copies = await options.awaitingRead(now - NOTICE_RESULTS_KEPT_MS);
    const since = lastRound;
    lastRound = now;
    const tasks = new Map<string, { sentAt: number; copies: Map<string, string> }>();
    for (const c of copies) {
      const copy = noticeCopy(c.messageId);
      if (!copy) continue;
      const task = tasks.get(copy.taskId) ?? { sentAt: c.sentAt, copies: new Map() };
      task.copies.set(copy.userId, c.messageId);
      tasks.set(copy.taskId, task);
    }
    // read by all, or forgotten by DingTalk: nothing left to ask
    for (const taskId of refused) if (!tasks.has(taskId)) refused.delete(taskId);
    for (const [taskId, task] of tasks) {
      if (!refused.has(taskId) && !CHECKS_MS.some((after) => task.sentAt + after > since && task.sentAt + after <= now)) continue;
      let readers: string[];
      try {
        readers = await api.noticeReads(agentId, taskId);
        refused.delete(taskId);
      } catch (err) {
        refused.add(taskId);
        log.warn({ taskId, err: (err as Error).message }, 'DingTalk would not say who read a work notice; asking again next round');
        continue;
      }
      for (const userId of readers) {
        const messageId = task.copies.get(userId);
        if (messageId) await options.read({ userId, messageIds: [messageId], readAt: now });
      }
    }
  }

  /** One round after any under way (the loop's and a caller's never overlap). */
  function poll(): Promise<void> {
    rounds = rounds.then(round, round);
    return rounds;
  }

  const loop = createLoop({ name: 'dingtalk-notice-reads', log, clock, idleMs: ROUND_EVERY_MS, step: async () => (await poll(), false), nextDueAt: () => null });
  return { start: loop.start, stop: loop.stop, poll };
}
