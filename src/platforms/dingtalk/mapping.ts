// DingTalk robot callbacks (HTTP or Stream, the same body) → IncomingMessage. Untrusted: every
// field is checked before use.
import { z } from 'zod';
import type { IncomingMessage, PlatformUser, SentFile } from '../../engine/message';

export const robotMessageSchema = z.object({
  msgId: z.string().min(1).max(300),
  msgtype: z.string(),
  text: z.object({ content: z.string() }).optional(),
  // a file's or picture's download code (POST /v1.0/robot/messageFiles/download) and the file's name
  content: z.object({ downloadCode: z.string().max(2000).optional(), pictureDownloadCode: z.string().max(2000).optional(), fileName: z.string().max(500).optional() }).optional(),
  createAt: z.coerce.number(),
  conversationType: z.enum(['1', '2']),
  conversationId: z.string().min(1).max(300),
  conversationTitle: z.string().optional(),
  senderId: z.string().optional(),
  senderNick: z.string().optional(),
  senderStaffId: z.string().optional(),
  chatbotUserId: z.string().optional(),
  sessionWebhook: z.string().optional(),
  sessionWebhookExpiredTime: z.coerce.number().optional(),
  atUsers: z.array(z.object({ dingtalkId: z.string().optional(), staffId: z.string().optional() })).optional(),
});
export type RobotMessage = z.infer<typeof robotMessageSchema>;

/** What a reply needs beyond the chat: the sessionWebhook while it lives. */
export interface DingtalkReplyContext extends Record<string, unknown> {
  sessionWebhook?: string;
  sessionWebhookExpiredTime?: number;
}

/** A robot file or picture message as a file to fetch by its download code; null for anything else. */
function sentFile(m: RobotMessage): SentFile | null {
  const code = m.msgtype === 'picture' ? (m.content?.pictureDownloadCode ?? m.content?.downloadCode) : m.msgtype === 'file' ? m.content?.downloadCode : undefined;
  if (!code) return null;
  return { name: m.msgtype === 'picture' ? '图片' : (m.content?.fileName ?? ''), image: m.msgtype === 'picture', handle: { downloadCode: code } };
}

export function mapRobotMessage(m: RobotMessage, receivedAt: number): IncomingMessage {
  const group = m.conversationType === '2';
  // a sender without a staff id (an outsider, an outgoing robot) can be nobody the office granted
  const sender: PlatformUser = m.senderStaffId
    ? { platform: 'dingtalk', userId: m.senderStaffId, name: m.senderNick }
    : { platform: 'dingtalk', userId: `anonymous:${m.senderId ?? m.msgId}`, name: m.senderNick };
  const mentions = (m.atUsers ?? [])
    .filter((u) => u.staffId && u.dingtalkId !== m.chatbotUserId)
    .map((u): PlatformUser => ({ platform: 'dingtalk', userId: u.staffId! }));
  const file = sentFile(m);
  const context: DingtalkReplyContext = {};
  if (m.sessionWebhook) context.sessionWebhook = m.sessionWebhook;
  if (m.sessionWebhookExpiredTime) context.sessionWebhookExpiredTime = m.sessionWebhookExpiredTime;
  return {
    platform: 'dingtalk',
    eventId: m.msgId,
    messageId: null,
    chat: { id: m.conversationId, type: group ? 'group' : 'p2p', title: m.conversationTitle },
    sender,
    // group messages arrive with a leading space where the bot's mention was
    text: (m.text?.content ?? '').trim(),
    mentions,
    kind: m.msgtype === 'text' && m.text ? 'text' : file ? 'file' : 'unsupported',
    ...(file ? { file } : {}),
    receivedAt,
    replyContext: context,
  };
}
