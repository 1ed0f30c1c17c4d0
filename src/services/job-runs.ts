// The record of scheduled runs: one row per (job, slot), taken first inside the run's
// transaction, so a second start for the same slot finds it and does nothing.
import { and, eq } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { LOCK_SPACES, tryLockName } from '../../db/locks';
import { jobRuns } from '../../db/schema';
import type { Clock } from '../lib/clock';

export function createJobRunsService(db: Db, clock: Clock) {
  return {
    /**
     * Inside the run's transaction: claims the slot; false when some run already has it. On
     * PostgreSQL a run still deciding holds an advisory lock on the slot until it commits, and a
     * second instance skips the slot instead of waiting behind the first's uncommitted row.
     */
    async claim(job: string, slot: string): Promise<boolean> {
      if (!(await tryLockName(db, LOCK_SPACES.jobSlot, `${job}\u0000${slot}`))) return false;
      return changedRows(await db.q.insert(jobRuns).values({ job, slot, status: 'running', startedAt: clock.now() }).onConflictDoNothing()) > 0;
    },
    async finish(job: string, slot: string, summary: unknown): Promise<void> {
      await db.q.update(jobRuns).set({ status: 'done', finishedAt: clock.now(), summary }).where(and(eq(jobRuns.job, job), eq(jobRuns.slot, slot)));
    },
  };
}

export type JobRunsService = ReturnType<typeof createJobRunsService>;
