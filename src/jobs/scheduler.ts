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

export function createScheduler(options: { services: Services; schedules: Schedules; clock: Clock; log: Logger; onQueued: () => void }) {
  const { services, clock, log } = options;
  const timezone = services.timezone;
  const plan: [JobName, string][] = [
    ['reminders', options.schedules.reminders],
    ['feedback', options.schedules.feedback],
    ['weekly-report', options.schedules.weeklyReport],
    ['calendar-check', options.schedules.calendarCheck],
  ];

  function run(job: JobName, at: number): void {
    try {
      const { summary } = runJob(services, job, at);
      log.info({ ...summary }, 'scheduled job');
      if (summary.messages) options.onQueued();
    } catch (err) {
      // the run rolled back whole; the next start-up's catch-up (or the next slot) tries again
      log.error({ err, job }, 'scheduled job failed');
    }
  }

  const tasks: [JobName, ScheduledTask][] = plan.map(([job, expression]) => [
    job,
    createTask(expression, (ctx) => run(job, ctx.date.getTime()), { timezone, name: job, noOverlap: true, maxRandomDelay: MAX_RANDOM_DELAY_MS }),
  ]);

  /** The latest slot of today, up to now, for each job; run unless it already ran. */
  function catchUp(): void {
    const now = clock.now();
    const midnight = startOfLocalDate(localDateOf(now, timezone), timezone);
    for (const [job, task] of tasks) {
      for (let minute = Math.floor(now / 60_000) * 60_000; minute >= midnight; minute -= 60_000) {
        if (task.match(new Date(minute))) {
          run(job, minute);
          break;
        }
      }
    }
  }

  return {
    catchUp,
    start(): void {
      for (const [, task] of tasks) task.start();
      catchUp();
    },
    stop(): void {
      for (const [, task] of tasks) task.stop();
    },
  };
}
