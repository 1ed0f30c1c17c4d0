// Housekeeping the running bot does between requests instead of inside them: a registration
// that happens to trigger a WAL checkpoint or a search-index merge would otherwise wait
// 10–30 ms for it (measured on a million documents).
import type { Db } from './client';

// pages of index merging per step: a few milliseconds of work
const MERGE_PAGES = 64;

export function createMaintenance(db: Db) {
  const merge = db.$client.prepare("INSERT INTO documents_fts (documents_fts, rank) VALUES ('merge', ?)");
  return {
    /** From now on this connection checkpoints only when step() says so. */
    takeOverCheckpoints(): void {
      db.$client.pragma('wal_autocheckpoint = 0');
    },
    /** One bounded slice: merge some index segments, copy the WAL back into the database. */
    step(): void {
      merge.run(MERGE_PAGES);
      db.$client.pragma('wal_checkpoint(PASSIVE)');
    },
  };
}
