// People's names from the platforms' own directories, filled in the background: a Feishu event
// names its sender by open_id only, and no list, card or report should show a bare id where a
// name can be had. Asked for people seen in the last month without a name (or with one not
// checked for a day), one at a time, outside any transaction; each question is recorded, so an unanswered one
// waits an hour. Every Feishu event lacks a name, so a kick starts a round at most every
// ROUND_INTERVAL_MS: a round's reads must not ride on every acknowledgement.
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import type { Services } from '../services';
import { withoutNul } from '../lib/without-nul';

export type NameLookup = (userId: string) => Promise<string | null>;

const BATCH = 20;
const ROUND_INTERVAL_MS = 10_000;
// names are never urgent: at most five questions a second, so a first start over thousands of
// people (or the daily refresh) stays out of the way of acknowledgements and replies
const LOOKUP_SPACING_MS = 200;

export function createNameLookup(options: { services: Services; lookups: Record<string, NameLookup>; clock: Clock; log: Logger }) {
  const { services, lookups, clock, log } = options;
  let running: Promise<void> | null = null;
  let waiting: NodeJS.Timeout | null = null;
  let lastRound = -Infinity;
  let stopped = false;

  async function fill(platform: string, lookup: NameLookup): Promise<void> {
    for (;;) {
      const wanted = await services.people.namesToLookUp(platform, BATCH);
      if (wanted.length === 0 || stopped) return;
      for (const identity of wanted) {
        if (stopped) return;
        const name = await lookup(identity.userId).catch((err) => {
          log.warn({ platform, err: (err as Error).message }, 'could not look a name up');
          return null;
        });
        if (!stopped) {
          await services.db.tx(async () => {
            // a directory's answer is text coming in, like a message (src/lib/without-nul.ts)
            await services.people.nameChecked(identity, withoutNul(name));
          });
        }
        await new Promise((r) => setTimeout(r, LOOKUP_SPACING_MS).unref());
      }
    }
  }

  function round(): void {
    waiting = null;
    lastRound = clock.now();
    running = (async () => {
      for (const [platform, lookup] of Object.entries(lookups)) await fill(platform, lookup);
    })()
      // a round is started and left to run: a database failure ends it, and the next kick tries again
      .catch((err) => log.warn({ err }, 'name lookup round failed'))
      .finally(() => (running = null));
  }

  return {
    /** Someone without a name may have been seen: a round now, or once the last is ROUND_INTERVAL_MS old. */
    kick(): void {
      if (stopped || running || Object.keys(lookups).length === 0) return;
      const wait = lastRound + ROUND_INTERVAL_MS - clock.now();
      if (wait > 0) {
        waiting ??= setTimeout(round, wait).unref();
        return;
      }
      // the interval has passed by the clock: a timer set for it is not waited for
      if (waiting) clearTimeout(waiting);
      round();
    },
    /** Resolves when no round is under way. */
    settled(): Promise<void> {
      return running ?? Promise.resolve();
    },
    /** No more rounds (a kick may still be queued behind the last message): before the database closes. */
    stop(): Promise<void> {
      stopped = true;
      if (waiting) clearTimeout(waiting);
      return running ?? Promise.resolve();
    },
  };
}
