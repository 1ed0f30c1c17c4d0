// What Lark would push at the bot under load: im.message.receive_v1 events, each with its own
// event_id and message_id, encrypted with the Encrypt Key and signed over the exact body, as
// tests/fixtures/lark.ts builds them. Each is a 收文登记 with a 文号 of its own, sent in a
// private chat by one of many staff members: the flood guard allows one person 30 commands a
// minute, so a single sender would turn the load into cheap refusals.
import { messageEvent, signedRequest } from '../fixtures/lark';
import type { PersonSeed } from './bulk';
import { randomPersonName, randomSource, randomTitle, randomUrgency, seededRandom } from './corpus';

export const ENCRYPT_KEY = 'bench-encrypt-key';
export const STAFF = 4_000;

export interface LarkEvent {
  eventId: string;
  /** the 文号 it registers, found once in documents when the event was carried out once */
  docNumber: string;
  body: string;
  headers: Record<string, string>;
}

/** The staff members who send the events, as 授权 … 角色=员工 would have left them. */
export function staffSeeds(): PersonSeed[] {
  const random = seededRandom(4);
  return Array.from({ length: STAFF }, (_, i) => ({ name: randomPersonName(random), role: 'staff' as const, platform: 'lark', userId: `ou_staff_${i}` }));
}

/** `count` distinct events named `<batch>-<i>`; 文号 numbers are distinct across batches given distinct `seed`s. */
export function larkEvents(batch: string, count: number, seed: number): LarkEvent[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const staff = i % STAFF;
    const source = randomSource(random);
    const docNumber = `${source.prefix}〔2026〕${seed * 1_000_000 + i}号`;
    const text = `收文登记 标题=${randomTitle(random, 2026)} 来文单位=${source.unit} 文号=${docNumber} 紧急程度=${randomUrgency(random)}`;
    const eventId = `ev_${batch}_${i}`;
    const event = messageEvent({ text, eventId, messageId: `om_${batch}_${i}`, chatId: `oc_p2p_${staff}`, openId: `ou_staff_${staff}` });
    return { eventId, docNumber, ...signedRequest(ENCRYPT_KEY, event) };
  });
}
