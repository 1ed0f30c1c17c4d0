// Feishu's departments for 单位同步, read in the background: a command cannot wait on Feishu, and
// no HTTP call may happen inside a transaction. What is due (a read asked for, or the daily
// refresh) is taken in one transaction, read outside any, and recorded in another, which also
// sends the proposal to whoever asked (services/org-sync.ts).
import type { Logger } from 'pino';
import type { Services } from '../services';
import type { DirectoryRead } from '../services/org-sync';

export type DepartmentListing = () => Promise<DirectoryRead>;

export function createDepartmentReader(options: { services: Services; listing: DepartmentListing | null; log: Logger }) {
  const { services, listing, log } = options;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function readDue(list: DepartmentListing): Promise<void> {
    for (;;) {
      const id = await services.db.tx(() => services.orgSync.due());
      if (id === null || stopped) return;
      const result = await list().catch((err: Error): DirectoryRead => ({ unreachable: err.message }));
      if ('refused' in result || 'unreachable' in result) log.warn({ snapshot: id, ...result }, 'could not read the Feishu departments');
      await services.db.tx(() => services.orgSync.read(id, result));
    }
  }

  function round(list: DepartmentListing): void {
    again = false;
    running = readDue(list)
      // a database failure ends the round; the next kick (or the timer) tries again
      .catch((err) => log.warn({ err }, 'department read failed'))
      .finally(() => {
        running = null;
        if (again && !stopped) round(list);
      });
  }

  return {
    /** A read may be due: one round now, or another once the one under way ends. */
    kick(): void {
      if (stopped || !listing) return;
      if (running) again = true;
      else round(listing);
    },
    /** Resolves when no round is under way. */
    async settled(): Promise<void> {
      while (running) await running;
    },
    stop(): Promise<void> {
      stopped = true;
      return running ?? Promise.resolve();
    },
  };
}
