// Outbox rows → Lark API calls, within Lark's limits, each carrying a uuid derived from its
// outbox row so that a retry after a lost response never posts twice.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type * as lark from '@larksuiteoapi/node-sdk';
import axios from 'axios';
import pThrottle from 'p-throttle';
import { SendError, type Delivered, type Outgoing, type Sender } from '../../lib/delivery';
import type { Reply } from '../../lib/reply';
import { conversationOf } from '../../services/outbox';
import { renderLark, type LarkContent } from './render';
import { urgentAlerts, type UrgentOptions } from './urgent';

// Lark: 5 messages a second to one user or group, 50 a second per app (Feishu's open-platform documentation).
const PER_CONVERSATION = { limit: 5, interval: 1000 };
const PER_APP = { limit: 50, interval: 1000 };
// codes that mean "later", though they come with HTTP 400 (230020: rate limited; 9999166x: token trouble)
const RETRY_CODES = new Set([99991400, 230020, 99991663, 99991661, 99991668]);

export function sendUuid(dedupeKey: string): string {
  return createHash('sha256').update(dedupeKey).digest('hex').slice(0, 40);
}

function asSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  if (axios.isAxiosError(error)) {
    const status = error.response?.status;
    const body = error.response?.data as { code?: number; msg?: string } | undefined;
    const what = `Lark ${status ?? error.code ?? 'network error'}${body?.code ? ` code ${body.code}` : ''}${body?.msg ? `: ${body.msg}` : ''}`;
    const reset = Number(error.response?.headers?.['x-ogw-ratelimit-reset']);
    if (status === 429 || RETRY_CODES.has(body?.code ?? -1)) {
      return new SendError(what, Number.isFinite(reset) && reset > 0 ? { retryAfterMs: reset * 1000 } : {});
    }
    // no answer, a timeout or a server error: try again; any other 4xx will not get better
    return new SendError(what, { permanent: status !== undefined && status >= 400 && status < 500 });
  }
  return new SendError(`Lark send failed: ${(error as Error)?.message ?? String(error)}`);
}

export function createLarkSender(client: lark.Client, urgent?: UrgentOptions): Sender {
  const alertAfter = urgent ? urgentAlerts(client, urgent) : null;
  const app = pThrottle(PER_APP)(() => undefined);
  const conversations = new Map<string, () => Promise<void>>();
  const slot = (key: string) => {
    let throttled = conversations.get(key);
    if (!throttled) {
      // idle chats are forgotten so the map stays small over months of running
      if (conversations.size > 5000) conversations.clear();
      throttled = pThrottle(PER_CONVERSATION)(async () => undefined);
      conversations.set(key, throttled);
    }
    return throttled();
  };

  /** A ledger goes up as a file (Lark keeps it; the message carries its key). */
  async function content(reply: Reply): Promise<LarkContent> {
    if (!('file' in reply)) return renderLark(reply);
    let uploaded;
    try {
      uploaded = await client.im.file.create({ data: { file_type: 'xls', file_name: reply.file.name, file: await readFile(reply.file.path) } });
    } catch (error) {
      throw asSendError(error);
    }
    if (!uploaded?.file_key) throw new SendError('Lark file upload returned no file_key');
    return { msg_type: 'file', content: JSON.stringify({ file_key: uploaded.file_key }) };
  }

  async function sendOne(m: Outgoing, target: Exclude<Outgoing['target'], { kind: 'users' | 'update' }>, uuid: string): Promise<Delivered | null> {
    await slot(conversationOf(m.platform, target));
    await app();
    const data = { ...(await content(m.reply)), uuid };
    // a private chat's answer to what came without a message (a bot menu choice) goes to the person
    const to =
      target.kind === 'user' || (target.kind === 'reply' && target.chatType === 'p2p' && !target.messageId)
        ? { type: 'open_id' as const, id: target.userId }
        : { type: 'chat_id' as const, id: target.chatId };
    let messageId: string | undefined;
    try {
      const res =
        target.kind === 'reply' && target.messageId
          ? await client.im.message.reply({ path: { message_id: target.messageId }, data })
          : await client.im.message.create({ params: { receive_id_type: to.type }, data: { ...data, receive_id: to.id } });
      if (res.code !== 0) throw new SendError(`Lark code ${res.code}: ${res.msg}`, { permanent: !RETRY_CODES.has(res.code ?? -1) });
      messageId = res.data?.message_id;
    } catch (error) {
      throw asSendError(error);
    }
    // accepted is delivered, even in the unlikely case that Lark does not say under which id
    if (!messageId) return null;
    return to.type === 'open_id' ? { messageId, userId: to.id } : { messageId, chatId: to.id };
  }

  /**
   * A card already sent, shown anew (PATCH /open-apis/im/v1/messages/:message_id; its config keeps
   * update_multi, so every reader sees it). Lark allows 5 updates a second per message: the
   * message is the throttle's conversation. A message older than 14 days (230031), recalled
   * (230011) or otherwise refused with a 4xx is given up on; a 429, 230020 or 5xx is tried again.
   */
  async function update(m: Outgoing, messageId: string): Promise<void> {
    if (!('card' in m.reply)) throw new SendError('Lark updates cards only', { permanent: true });
    await slot(conversationOf(m.platform, m.target));
    await app();
    try {
      const res = await client.im.message.patch({ path: { message_id: messageId }, data: { content: renderLark(m.reply).content } });
      if (res.code !== 0) throw new SendError(`Lark code ${res.code}: ${res.msg}`, { permanent: !RETRY_CODES.has(res.code ?? -1) });
    } catch (error) {
      throw asSendError(error);
    }
  }

  return {
    async send(m: Outgoing) {
      const delivered = await deliver(m);
      // the message is delivered whatever becomes of its urgent alert
      if (alertAfter && delivered) await alertAfter(m, delivered);
      return delivered;
    },
  };

  async function deliver(m: Outgoing): Promise<Delivered[] | void> {
    if (m.target.kind === 'update') return update(m, m.target.messageId);
    if (m.target.kind !== 'users') return [await sendOne(m, m.target, sendUuid(m.dedupeKey))].filter((d) => d !== null);
    // Lark sends to one person at a time; each has their own uuid, so a retry of the whole
    // row after a failure half-way does not post twice to those already reached
    const delivered: Delivered[] = [];
    for (const userId of m.target.userIds) {
      const d = await sendOne(m, { kind: 'user', userId }, sendUuid(`${m.dedupeKey}:${userId}`));
      if (d) delivered.push(d);
    }
    return delivered;
  }
}
