// The record of scheduled runs: one row per (job, slot), taken first inside the run's
// transaction, so a second start for the same slot finds it and does nothing.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobRuns } from '../../db/schema';
import type { Clock } from '../lib/clock';

export function createJobRunsService(db: Db, clock: Clock) {
  return {
    /** Claims the slot; false when some run already has it. */
    claim(job: string, slot: string): boolean {
      return db.insert(jobRuns).values({ job, slot, status: 'running', startedAt: clock.now() }).onConflictDoNothing().run().changes > 0;
    },
    finish(job: string, slot: string, summary: unknown): void {
      db.update(jobRuns).set({ status: 'done', finishedAt: clock.now(), summary }).where(and(eq(jobRuns.job, job), eq(jobRuns.slot, slot))).run();
    },
  };
}

export type JobRunsService = ReturnType<typeof createJobRunsService>;
