// After a sustained run, what the database says happened to each acknowledged event: its inbox
// row carried out, its 收文 registered once, its reply queued once — and when that reply was
// queued, against when the load generator read the acknowledgement.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { LarkEvent } from './lark-events';

export interface Outcome {
  /** acknowledged events not carried out exactly once (inbox row done, 文号 registered once, one reply) */
  notExactlyOnce: number;
  /** inbox rows, documents and replies that belong to no acknowledged event */
  strays: number;
  /** by event id, for those with a reply: the reply's outbox created_at minus the acknowledgement, ms */
  queuedAfterAck: Map<string, number>;
  documents: number;
  replies: number;
}

/** reply:lark:<event id>:<index of the reply> → the event id */
const eventOfReply = (dedupeKey: string) => dedupeKey.slice('reply:lark:'.length, dedupeKey.lastIndexOf(':'));

const tally = (keys: Iterable<string>) => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
};

/** `acked` pairs each acknowledged event with the instant (epoch ms) its acknowledgement was read. */
export async function checkOutcome(db: Db, acked: readonly { event: LarkEvent; at: number }[]): Promise<Outcome> {
  const inbox = new Map((await db.all<{ event_id: string; status: string }>(sql`SELECT event_id, status FROM inbox WHERE platform = 'lark'`)).map((r) => [r.event_id, r.status]));
  const documents = tally((await db.all<{ doc_number: string }>(sql`SELECT doc_number FROM documents`)).map((r) => r.doc_number));
  const replyRows = await db.all<{ dedupe_key: string; created_at: number }>(sql`SELECT dedupe_key, created_at FROM outbox WHERE dedupe_key LIKE 'reply:lark:%'`);
  const replies = new Map<string, number[]>();
  for (const r of replyRows) replies.set(eventOfReply(r.dedupe_key), [...(replies.get(eventOfReply(r.dedupe_key)) ?? []), r.created_at]);

  let notExactlyOnce = 0;
  const queuedAfterAck = new Map<string, number>();
  for (const { event, at } of acked) {
    const queued = replies.get(event.eventId) ?? [];
    if (inbox.get(event.eventId) !== 'done' || documents.get(event.docNumber) !== 1 || queued.length !== 1) notExactlyOnce++;
    if (queued.length) queuedAfterAck.set(event.eventId, Math.max(...queued) - at);
  }
  const ackedIds = new Set(acked.map((a) => a.event.eventId));
  const ackedNumbers = new Set(acked.map((a) => a.event.docNumber));
  const strays =
    [...inbox.keys()].filter((id) => !ackedIds.has(id)).length +
    [...documents].filter(([n]) => !ackedNumbers.has(n)).reduce((sum, [, c]) => sum + c, 0) +
    replyRows.filter((r) => !ackedIds.has(eventOfReply(r.dedupe_key))).length;
  return { notExactlyOnce, strays, queuedAfterAck, documents: [...documents.values()].reduce((a, b) => a + b, 0), replies: replyRows.length };
}
