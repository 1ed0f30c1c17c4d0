// Flood protection: past the limit within one clock minute a sender (or a chat) gets one polite
// refusal, then silence until the minute is over. Counted in the database, so that every instance
// of the bot sees the same counts: one row per sender and per chat, holding its current minute.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { floodCounts } from '../../db/schema';

export interface FloodLimits {
  perPerson: number;
  perChat: number;
}

export type FloodVerdict = 'ok' | 'warn' | 'drop';

/** The n-th message of a minute: within the limit, the first past it (warned), or later ones (dropped). */
function verdictOf(count: number, limit: number): FloodVerdict {
  return count <= limit ? 'ok' : count === limit + 1 ? 'warn' : 'drop';
}

export function createFloodGuard(db: Db, limits: FloodLimits = { perPerson: 30, perChat: 120 }) {
  return {
    /** Counts a message in the caller's transaction: one statement for both counts. */
    async check(person: string, chat: string, at: number): Promise<FloodVerdict> {
      const windowStart = Math.floor(at / 60_000) * 60_000;
      const personKey = `p:${person}`;
      const chatKey = `c:${chat}`;
      // a row from an earlier minute starts over: the table holds one row per key, never more
      const rows = await db.q
        .insert(floodCounts)
        .values([
          { key: personKey, windowStart, count: 1 },
          { key: chatKey, windowStart, count: 1 },
        ])
        .onConflictDoUpdate({
          target: floodCounts.key,
          set: {
            count: sql`CASE WHEN flood_counts.window_start = excluded.window_start THEN flood_counts.count + 1 ELSE 1 END`,
            windowStart: sql`excluded.window_start`,
          },
        })
        .returning({ key: floodCounts.key, count: floodCounts.count });
      const counted = new Map(rows.map((r) => [r.key, r.count]));
      const verdicts = [verdictOf(counted.get(personKey)!, limits.perPerson), verdictOf(counted.get(chatKey)!, limits.perChat)];
      return verdicts.includes('drop') ? 'drop' : verdicts.includes('warn') ? 'warn' : 'ok';
    },
  };
}
