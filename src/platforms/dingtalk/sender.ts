// Outbox rows → DingTalk: a reply goes through the message's sessionWebhook while it lives (first
// try only, and only to an allowed host), otherwise — and for reminders and reports — through the
// robot API, up to 20 people per call.
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock';
import { SendError, type Outgoing, type Sender } from '../../lib/delivery';
import { BATCH_LIMIT, type DingtalkApi } from './client';
import type { DingtalkReplyContext } from './mapping';
import { renderDingtalk } from './render';

// a sessionWebhook about to expire is not worth a try
const SESSION_MARGIN_MS = 5 * 60_000;

export function sessionWebhookUsable(context: DingtalkReplyContext | undefined, allowedHosts: string[], now: number): string | null {
  const url = context?.sessionWebhook;
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  // DingTalk's own address and nothing else of it: a forged body must not make the bot post to
  // another port or path of an allowed host
  if (parsed.protocol !== 'https:' || !allowedHosts.includes(parsed.hostname) || parsed.port !== '' || parsed.pathname !== '/robot/sendBySession') return null;
  if (!context.sessionWebhookExpiredTime || context.sessionWebhookExpiredTime - now < SESSION_MARGIN_MS) return null;
  return url;
}

export function createDingtalkSender(api: DingtalkApi, allowedHosts: string[], clock: Clock, log: Logger): Sender {
  async function toPeople(userIds: string[], content: ReturnType<typeof renderDingtalk>): Promise<void> {
    const reachable = userIds.filter((id) => !id.startsWith('anonymous:'));
    if (reachable.length === 0) throw new SendError('DingTalk: the sender has no staff id, so the robot cannot write to them', { permanent: true });
    for (let i = 0; i < reachable.length; i += BATCH_LIMIT) {
      const answer = await api.toPeople(reachable.slice(i, i + BATCH_LIMIT), content);
      const missed = [...(answer?.invalidStaffIdList ?? []), ...(answer?.flowControlledStaffIdList ?? [])];
      // retrying the call would post twice to everyone else in it, so the missed are logged instead
      if (missed.length) log.warn({ missed }, 'DingTalk did not deliver to some staff ids');
    }
  }

  return {
    async send(m: Outgoing) {
      const t = m.target;
      // a robot's message stays as it was sent: nothing to update it with
      if (t.kind === 'update') throw new SendError('DingTalk robot messages cannot be updated', { permanent: true });
      const content = renderDingtalk(m.reply);
      if (t.kind === 'reply') {
        const session = m.attempt === 1 ? sessionWebhookUsable(t.context as DingtalkReplyContext | undefined, allowedHosts, clock.now()) : null;
        if (session) return api.toSession(session, content);
        if (t.chatType === 'group') return void (await api.toGroup(t.chatId, content));
        return toPeople([t.userId], content);
      }
      if (t.kind === 'chat') return void (await api.toGroup(t.chatId, content));
      return toPeople(t.kind === 'user' ? [t.userId] : t.userIds, content);
    },
  };
}
