// Feishu's urgent alerts (加急) on a message the bot has just sent to a person: in the app (free),
// and by SMS or phone call where LARK_URGENT allows (they draw on the tenant's paid quota).
// An alert is extra: the message is delivered either way, so a refusal is logged, never retried.
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { UrgentLevel } from '../../config';
import type { Delivered, Outgoing } from '../../lib/delivery';

// 230023: the person has 200 unread urgent messages; 230024: the tenant's urgent quota is spent
// (Feishu's urgent_app/urgent_sms/urgent_phone error tables)
const LIMIT_CODES = new Set([230023, 230024]);

type UrgentPayload = { path: { message_id: string }; params: { user_id_type: 'open_id' }; data: { user_id_list: string[] } };

export interface UrgentOptions {
  levels: readonly UrgentLevel[];
  /** takes the keys for this person before the call; false when every key was taken before (a redelivery, a retried row, a restart) */
  once(userId: string, keys: readonly string[], messageId: string): Promise<boolean>;
  log: Logger;
}

export function urgentAlerts(client: lark.Client, options: UrgentOptions) {
  const calls = {
    app: (p: UrgentPayload) => client.im.message.urgentApp(p),
    sms: (p: UrgentPayload) => client.im.message.urgentSms(p),
    phone: (p: UrgentPayload) => client.im.message.urgentPhone(p),
  };

  async function alert(messageId: string, userId: string, keys: readonly string[]): Promise<void> {
    let first: boolean;
    try {
      first = await options.once(userId, keys, messageId);
    } catch (err) {
      // at most once: an alert that cannot be recorded is not made
      options.log.warn({ err, messageId }, 'urgent alert not recorded, so not made');
      return;
    }
    if (!first) return;
    for (const level of options.levels) {
      const refused = await calls[level]({ path: { message_id: messageId }, params: { user_id_type: 'open_id' }, data: { user_id_list: [userId] } }).then(
        (res) => (res.code === 0 ? (res.data?.invalid_user_id_list?.length ? { code: 0, msg: 'invalid user' } : null) : { code: res.code ?? -1, msg: res.msg ?? '' }),
        (error: { response?: { data?: { code?: number; msg?: string } }; message?: string }) => ({ code: error.response?.data?.code ?? -1, msg: error.response?.data?.msg ?? error.message ?? '' }),
      );
      if (!refused) continue;
      const limit = LIMIT_CODES.has(refused.code);
      options.log.warn({ level, code: refused.code, msg: refused.msg, messageId, keys }, limit ? 'Lark urgent alert refused (unread or quota limit): the plain message stands' : 'Lark urgent alert failed: the plain message stands');
      // the person's unread limit holds for every kind of alert
      if (refused.code === 230023) return;
    }
  }

  /** After a send: each person the message reached by open_id is alerted, once per key. */
  return async function afterSend(m: Outgoing, delivered: readonly Delivered[]): Promise<void> {
    const keys = 'urgent' in m.target ? (m.target.urgent ?? []) : [];
    if (keys.length === 0) return;
    for (const d of delivered) if (d.userId) await alert(d.messageId, d.userId, keys);
  };
}
