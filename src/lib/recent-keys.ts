// Keys this process wrote for a while ago, for writes that need doing only now and then (when a
// chat or a person was last seen): while a key is recent, its write is skipped without asking
// the database, which on PostgreSQL saves a round trip per message. The caller adds a key only
// once its write has committed: a rolled-back write must be done again.
import type { Clock } from './clock';

export function recentKeys(clock: Clock, forMs: number, max = 10_000) {
  const written = new Map<string, { at: number; value: string }>();
  return {
    /** Whether the key was written recently, with this value (a chat's title: a new one must be written). */
    has(key: string, value = ''): boolean {
      const last = written.get(key);
      if (last === undefined || last.value !== value) return false;
      const age = clock.now() - last.at;
      return age >= 0 && age < forMs;
    },
    add(key: string, value = ''): void {
      // a county has a few thousand people and chats; past the bound, forgetting all costs one write each
      if (written.size >= max) written.clear();
      written.set(key, { at: clock.now(), value });
    },
  };
}
