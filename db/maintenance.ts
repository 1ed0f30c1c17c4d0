// SQLite housekeeping the running bot does between requests instead of inside them: a registration
// that happens to trigger a WAL checkpoint or a search-index merge would otherwise wait
// 10–30 ms for it (measured on a million documents). The checkpoint runs on a thread of its
// own: copying the log back into the database and syncing the file takes tens of milliseconds
// under load, and on the event loop every webhook acknowledgement would wait for it. A
// PASSIVE checkpoint takes no lock that writers wait on, so the two threads do not queue.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './client';

// pages of index merging per step: a few milliseconds of work
const MERGE_PAGES = 64;

// plain CommonJS evaluated in the thread, so it runs the same from the sources and from the bundle
const CHECKPOINT_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
});`;

function checkpointThread(path: string) {
  const worker = new Worker(CHECKPOINT_THREAD, { eval: true, workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  // the bot's own shutdown closes it; a tool that never does must still be able to exit
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // a thread that cannot open the file (its folder gone) ends; checkpoints are then skipped, and
  // the error is not the process's to die of
  let failed: Error | null = null;
  let abandon: ((error: Error) => void) | null = null;
  worker.on('error', (error) => {
    failed = error;
    abandon?.(error);
  });
  let inFlight: Promise<void> | null = null;
  return {
    /** Resolves once the checkpoint is done; a call while one runs joins it. */
    checkpoint(): Promise<void> {
      if (failed) return Promise.reject(new Error(`WAL checkpoint thread failed: ${failed.message}`));
      inFlight ??= new Promise<void>((resolve, reject) => {
        abandon = (error) => {
          inFlight = null;
          reject(new Error(`WAL checkpoint thread failed: ${error.message}`));
        };
        worker.once('message', (error: string | null) => {
          inFlight = null;
          if (error === null) resolve();
          else reject(new Error(`WAL checkpoint failed: ${error}`));
        });
        worker.postMessage('checkpoint');
      });
      return inFlight;
    },
    async close(): Promise<void> {
      await inFlight?.catch(() => undefined);
      if (failed) return;
      // held open until the thread has closed its connection, or the process would end first
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}

export interface Maintenance {
  /** From now on the database is never checkpointed in the middle of a write: step() does it, off the event loop. */
  takeOverCheckpoints(): void;
  /** One bounded slice of housekeeping. */
  step(): Promise<void>;
  close(): Promise<void>;
}

// PostgreSQL's own background processes do this work (its checkpointer, autovacuum), and its
// search table (document_grams) is a plain B-tree with no segments to merge: nothing is left for
// the bot to do between requests.
const NOTHING_TO_DO: Maintenance = {
  takeOverCheckpoints() {},
  async step() {},
  async close() {},
};

export function createMaintenance(db: Db): Maintenance {
  const sqlite = db.sqlite;
  if (!sqlite) return NOTHING_TO_DO;
  const merge = sqlite.prepare("INSERT INTO documents_fts (documents_fts, rank) VALUES ('merge', ?)");
  let thread: ReturnType<typeof checkpointThread> | null = null;
  return {
    takeOverCheckpoints(): void {
      sqlite.pragma('wal_autocheckpoint = 0');
      if (!sqlite.memory) thread ??= checkpointThread(sqlite.name);
    },
    /** Merges some index segments here, and copies the WAL back into the database on the checkpoint thread. */
    async step(): Promise<void> {
      // a write on the connection transactions run on: in a transaction of its own, queued
      // behind any the bot has open, or it would become part of theirs
      await db.tx(async () => void merge.run(MERGE_PAGES));
      await thread?.checkpoint();
    },
    async close(): Promise<void> {
      await thread?.close();
      thread = null;
    },
  };
}
