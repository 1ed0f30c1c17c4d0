// Outbox rows → DingTalk: a reply goes through the message's sessionWebhook while it lives (first
// try only, and only to an allowed host), otherwise — and for files, reminders and reports —
// through the robot API, up to 20 people per call. With work notices on, what the bot starts to
// people (notices, reminders, follow-ups) goes as 工作通知 instead, whose reads DingTalk reports.
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock';
import { SendError, type Delivered, type Outgoing, type Sender } from '../../lib/delivery';
import { stat } from 'node:fs/promises';
import { BATCH_LIMIT, MEDIA_FILE_MAX_BYTES, noticeCopyId, type DingtalkApi, type RobotContent } from './client';
import type { DingtalkReplyContext } from './mapping';
import { renderDingtalk, type DingtalkContent, type Where } from './render';

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

// a task of more than 100 people could not be asked who read it (getsendresult)
const NOTICE_BATCH = 100;
// a work notice's markdown text is at most 5,000 characters (the asyncsend_v2 documentation)
const NOTICE_TEXT_MAX = 5000;
const CUT_NOTE = '……（内容较长，以下从略。请在与政务助手机器人的单聊中查询。）';

/** A work notice's text within DingTalk's limit: whole lines, then a note that the rest is left out. */
export function withinNoticeLimit(content: Exclude<RobotContent, { kind: 'uploaded' }>): typeof content {
  const text = content.kind === 'markdown' ? content.markdown : content.text;
  if (text.length <= NOTICE_TEXT_MAX) return content;
  const room = NOTICE_TEXT_MAX - CUT_NOTE.length - 4;
  const lines = text.split('\n');
  let kept = '';
  for (const line of lines) {
    if (kept.length + line.length + 1 > room) break;
    kept += `${line}\n`;
  }
  const cut = `${kept || text.slice(0, room)}${content.kind === 'markdown' ? '  \n' : '\n'}${CUT_NOTE}`;
  return content.kind === 'markdown' ? { ...content, markdown: cut } : { ...content, text: cut };
}

export interface DingtalkSenderOptions {
  /** the hosts a sessionWebhook may point at */
  allowedHosts: string[];
  /** messages the bot starts to people go as work notices under this AgentId; null: as robot messages */
  workNotice: { agentId: number } | null;
}

/** Where a message to `target` is read: the robot's private chat with a person, a group, or the work notices. */
function whereOf(target: Exclude<Outgoing['target'], { kind: 'update' }>, notices: boolean): Where {
  if (target.kind === 'reply') return target.chatType === 'group' ? 'group' : 'private';
  if (target.kind === 'chat') return 'group';
  return notices ? 'notice' : 'private';
}

function reachable(userIds: string[]): string[] {
  const ids = userIds.filter((id) => !id.startsWith('anonymous:'));
  if (ids.length === 0) throw new SendError('DingTalk: the sender has no staff id, so the robot cannot write to them', { permanent: true });
  return ids;
}

export function createDingtalkSender(api: DingtalkApi, options: DingtalkSenderOptions, clock: Clock, log: Logger): Sender {
  const { allowedHosts, workNotice } = options;

  /** Each person's copy of a work notice is known by its task and their id, so that the task's reads can be matched to it. */
  async function asNotices(agentId: number, userIds: string[], content: Exclude<RobotContent, { kind: 'uploaded' }>): Promise<Delivered[]> {
    const delivered: Delivered[] = [];
    const ids = reachable(userIds);
    for (let i = 0; i < ids.length; i += NOTICE_BATCH) {
      const batch = ids.slice(i, i + NOTICE_BATCH);
      const taskId = await api.workNotice(agentId, batch, withinNoticeLimit(content));
      delivered.push(...batch.map((userId) => ({ messageId: noticeCopyId(taskId, userId), userId, fixed: true as const })));
    }
    return delivered;
  }

  async function toPeople(userIds: string[], content: RobotContent): Promise<void> {
    const ids = reachable(userIds);
    for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
      const answer = await api.toPeople(ids.slice(i, i + BATCH_LIMIT), content);
      const missed = [...(answer?.invalidStaffIdList ?? []), ...(answer?.flowControlledStaffIdList ?? [])];
      // retrying the call would post twice to everyone else in it, so the missed are logged instead
      if (missed.length) log.warn({ missed }, 'DingTalk did not deliver to some staff ids');
    }
  }

  /** A file goes up first and is sent by its media id; one DingTalk will not take is offered from the console instead. */
  async function robotContent(content: DingtalkContent): Promise<RobotContent> {
    if (content.kind !== 'file') return content;
    const { file } = content;
    const size = await stat(file.path).then(
      (s) => s.size,
      () => null,
    );
    if (size !== null && size > MEDIA_FILE_MAX_BYTES) {
      return { kind: 'text', title: file.name, text: `${file.caption}\n文件超过钉钉 10MB 的上限，无法在聊天中发送。请在管理后台「台账」页面导出下载；如无管理后台权限，请联系管理员。` };
    }
    return { kind: 'uploaded', mediaId: await api.upload(file), fileName: file.name };
  }

  return {
    async send(m: Outgoing) {
      const t = m.target;
      // a robot's message stays as it was sent: nothing to update it with
      if (t.kind === 'update') throw new SendError('DingTalk robot messages cannot be updated', { permanent: true });
      const notice = workNotice !== null && (t.kind === 'user' || t.kind === 'users') && !('file' in m.reply);
      const content = await robotContent(renderDingtalk(m.reply, whereOf(t, notice)));
      if (notice && content.kind !== 'uploaded') return asNotices(workNotice.agentId, t.kind === 'user' ? [t.userId] : t.userIds, content);
      if (t.kind === 'reply') {
        // a sessionWebhook carries text and markdown, never a file
        if (m.attempt === 1 && content.kind !== 'uploaded') {
          const session = sessionWebhookUsable(t.context as DingtalkReplyContext | undefined, allowedHosts, clock.now());
          if (session) return api.toSession(session, content);
        }
        if (t.chatType === 'group') return void (await api.toGroup(t.chatId, content));
        return toPeople([t.userId], content);
      }
      if (t.kind === 'chat') return void (await api.toGroup(t.chatId, content));
      return toPeople(t.kind === 'user' ? [t.userId] : t.userIds, content);
    },
  };
}
