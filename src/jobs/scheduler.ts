// node-cron only says "it is time"; what is due comes from the database, and each (job, slot)
// runs once whoever starts it. A slot of today missed while the bot was down runs at start-up.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { localDateOf, startOfLocalDate } from '../lib/dates';
import type { Services } from '../services';
import { runJob, type JobName } from './run-job';

export interface Schedules {
  reminders: string;
  feedback: string;
  weeklyReport: string;
  calendarCheck: string;
}

// Feishu throttles the top of the hour; a little jitter spreads many offices' bots too.
const MAX_RANDOM_DELAY_MS = 30_000;
// With several instances, a slot whose runner died mid-run (rolled back whole) is run by whichever
// instance looks next; each looks this often, a few cheap reads when everything has run.
const CATCH_UP_EVERY_MS = 60_000;

export function createScheduler(options: { services: Services; schedules: Schedules; clock: Clock; log: Logger; onQueued: () => void }) {
  const { services, clock, log } = options;
  const timezone = services.timezone;
  const plan: [JobName, string][] = [
    ['reminders', options.schedules.reminders],
    ['feedback', options.schedules.feedback],
    ['weekly-report', options.schedules.weeklyReport],
    ['calendar-check', options.schedules.calendarCheck],
  ];

  // runs under way, for stop() to wait on before the database closes
  const running = new Set<Promise<void>>();

  /** One run of a slot; never rejects: a failed run is logged, and rolled back whole. */
  function run(job: JobName, at: number): Promise<void> {
    const done = (async () => {
      try {
        const { summary } = await runJob(services, job, at);
        if (summary.outcome !== 'already-ran') log.info({ ...summary }, 'scheduled job');
        if (summary.messages) options.onQueued();
      } catch (err) {
        // the run rolled back whole; the next catch-up (here or in another instance) tries again
        log.error({ err, job }, 'scheduled job failed');
      }
    })().finally(() => running.delete(done));
    running.add(done);
    return done;
  }

  // node-cron waits for the returned promise: with noOverlap a slow run is not started twice
  const tasks: [JobName, ScheduledTask][] = plan.map(([job, expression]) => [
    job,
    createTask(expression, (ctx) => run(job, ctx.date.getTime()), { timezone, name: job, noOverlap: true, maxRandomDelay: MAX_RANDOM_DELAY_MS }),
  ]);

  /** The latest slot of today, up to now, for each job; run unless it already ran (here or in another instance). */
  async function catchUp(): Promise<void> {
    const now = clock.now();
    const midnight = startOfLocalDate(localDateOf(now, timezone), timezone);
    for (const [job, task] of tasks) {
      for (let minute = Math.floor(now / 60_000) * 60_000; minute >= midnight; minute -= 60_000) {
        if (task.match(new Date(minute))) {
          await run(job, minute);
          break;
        }
      }
    }
  }

  let looking: NodeJS.Timeout | null = null;
  let stopped = false;

  return {
    catchUp,
    /** Starts the timetable, and resolves once today's missed slots have run. */
    async start(): Promise<void> {
      for (const [, task] of tasks) task.start();
      await catchUp();
      // stopped while catching up: no timer left to run against a closed database
      if (stopped) return;
      looking = setInterval(() => void catchUp(), CATCH_UP_EVERY_MS);
      looking.unref();
    },
    /** No more slots; resolves once the runs under way have finished. */
    async stop(): Promise<void> {
      stopped = true;
      if (looking) clearInterval(looking);
      for (const [, task] of tasks) task.stop();
      await Promise.all(running);
    },
  };
}
