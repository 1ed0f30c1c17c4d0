// People's names from the platforms' own directories, filled in the background: a Feishu event
// names its sender by open_id only, and no list, card or report should show a bare id where a
// name can be had. Asked for people seen lately without a name (or with one not checked for a
// month), one at a time, outside any transaction; what the platform will not say is not asked
// again for an hour.
import type { Logger } from 'pino';
import { transaction } from '../../db/client';
import type { Clock } from '../lib/clock';
import type { Services } from '../services';

export type NameLookup = (userId: string) => Promise<string | null>;

const BATCH = 20;
const RETRY_AFTER_MS = 3_600_000;

export function createNameLookup(options: { services: Services; lookups: Record<string, NameLookup>; clock: Clock; log: Logger }) {
  const { services, lookups, clock, log } = options;
  const asked = new Map<string, number>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function fill(platform: string, lookup: NameLookup): Promise<void> {
    for (;;) {
      const now = clock.now();
      const wanted = services.people.namesToLookUp(platform, BATCH + asked.size).filter((i) => (asked.get(`${platform}:${i.userId}`) ?? 0) < now - RETRY_AFTER_MS);
      if (wanted.length === 0 || stopped) return;
      for (const identity of wanted.slice(0, BATCH)) {
        if (stopped) return;
        asked.set(`${platform}:${identity.userId}`, now);
        const name = await lookup(identity.userId).catch((err) => {
          log.warn({ platform, err: (err as Error).message }, 'could not look a name up');
          return null;
        });
        if (name && !stopped) transaction(services.db, () => services.people.setNameFromPlatform(identity, name));
      }
    }
  }

  async function run(): Promise<void> {
    do {
      again = false;
      for (const [platform, lookup] of Object.entries(lookups)) await fill(platform, lookup);
    } while (again);
  }

  return {
    /** Someone without a name was seen: look names up soon (once, however many arrive meanwhile). */
    kick(): void {
      if (stopped || Object.keys(lookups).length === 0) return;
      if (running) {
        again = true;
        return;
      }
      running = run().finally(() => (running = null));
    },
    /** Resolves when no lookup is under way. */
    settled(): Promise<void> {
      return running ?? Promise.resolve();
    },
    /** No more lookups (a kick may still be queued behind the last message): before the database closes. */
    stop(): Promise<void> {
      stopped = true;
      return running ?? Promise.resolve();
    },
  };
}
