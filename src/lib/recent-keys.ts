// Keys this process wrote for a while ago, for writes that need doing only now and then (when a
// chat or a person was last seen): while a key is recent, its write is skipped without asking
// the database, which on PostgreSQL saves a round trip per message. The caller adds a key only
// once its write has committed: a rolled-back write must be done again.
import type { Clock } from './clock';

export function recentKeys(clock: Clock, forMs: number, max = 10_000) {
  const writtenAt = new Map<string, number>();
  return {
    has(key: string): boolean {
      const at = writtenAt.get(key);
      if (at === undefined) return false;
      const age = clock.now() - at;
      return age >= 0 && age < forMs;
    },
    add(key: string): void {
      // a county has a few thousand people and chats; past the bound, forgetting all costs one write each
      if (writtenAt.size >= max) writtenAt.clear();
      writtenAt.set(key, clock.now());
    },
  };
}
