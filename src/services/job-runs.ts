// The record of scheduled runs: one row per (job, slot), taken first inside the run's
// transaction, so a second start for the same slot finds it and does nothing.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { jobRuns } from '../../db/schema';
import type { Clock } from '../lib/clock';

// The first key of the two-key advisory locks PostgreSQL takes for job slots (the second is the
// slot's hash): a space of its own, apart from the migrations' one-key lock.
const JOB_SLOT_LOCKS = 0x7a770002;

/** A (job, slot) as a 32-bit key, computed here rather than by the server so both halves of the lock are plain integers. */
function slotKey(job: string, slot: string): number {
  return createHash('sha256').update(`${job}\u0000${slot}`).digest().readInt32BE(0);
}

export function createJobRunsService(db: Db, clock: Clock) {
  return {
    /**
     * Inside the run's transaction: claims the slot; false when some run already has it. On
     * PostgreSQL a run still deciding holds an advisory lock on the slot until it commits, and a
     * second instance skips the slot instead of waiting behind the first's uncommitted row.
     */
    async claim(job: string, slot: string): Promise<boolean> {
      if (db.dialect === 'pg') {
        const [lock] = await db.all<{ held: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${JOB_SLOT_LOCKS}::int4, ${slotKey(job, slot)}::int4) AS held`);
        if (!lock?.held) return false;
      }
      return changedRows(await db.q.insert(jobRuns).values({ job, slot, status: 'running', startedAt: clock.now() }).onConflictDoNothing()) > 0;
    },
    async finish(job: string, slot: string, summary: unknown): Promise<void> {
      await db.q.update(jobRuns).set({ status: 'done', finishedAt: clock.now(), summary }).where(and(eq(jobRuns.job, job), eq(jobRuns.slot, slot)));
    },
  };
}

export type JobRunsService = ReturnType<typeof createJobRunsService>;
