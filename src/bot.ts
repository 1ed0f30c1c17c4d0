// Wires one bot process together: database, services, engine, inbox worker, outbox dispatcher
// and the HTTP app. main.ts, the REPL, the CLIs and the tests all build it the same way.
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { allCommands } from '../commands';
import { proposalCard } from '../commands/proposals';
import { itemCard } from '../commands/supervision';
import { documentCard } from '../commands/views';
import { openDatabase } from '../db/client';
import { createMaintenance } from '../db/maintenance';
import { createApp } from './app';
import type { Config } from './config';
import { buttonFilter } from './engine/buttons';
import { createEngine } from './engine/engine';
import { createNameLookup } from './engine/names';
import { createDepartmentReader } from './engine/departments';
import { createInboxWorker } from './engine/inbox-worker';
import type { IncomingMessage } from './engine/message';
import { createDispatcher } from './jobs/dispatcher';
import { createExportWorker } from './jobs/export-worker';
import { createFileReader } from './engine/intake';
import { createExtractor, type Extractor } from './intake/extractor';
import { createScheduler } from './jobs/scheduler';
import { createConsoleRouter } from './web/console-router';
import { systemClock, type Clock } from './lib/clock';
import type { Sender } from './lib/delivery';
import { groupCommit } from './lib/group-commit';
import { systemActor } from './services/actor';
import { createServices } from './services';
import { OWNER_HEARTBEAT_MS } from './services/outbox';

/** How often the running bot does its housekeeping (db/maintenance.ts); the benchmarks keep the same pace. */
export const MAINTENANCE_INTERVAL_MS = 1000;
// people granted by id alone get their names from the directory within this long
const NAMES_INTERVAL_MS = 300_000;

export interface BotOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** extra platform → sender (the console's); rows for platforms without one wait for a process that has one */
  senders?: Record<string, Sender>;
  /** the reader of files' child processes, when shared (tests keep one warm across bots); the bot then leaves it running at stop */
  extractor?: Extractor;
}

export async function createBot({ config, log, clock = systemClock, senders = {}, extractor: shared }: BotOptions) {
  const db = await openDatabase(config.database);
  let dispatcherKick = () => {};
  let departmentsKick = () => {};
  let filesKick = () => {};
  const services = createServices({
    db,
    clock,
    log,
    settings: { timezone: config.timezone, escalateAfterWorkdays: config.escalateAfterWorkdays, proposals: config.proposals, consoleBaseUrl: config.consoleBaseUrl, outbox: config.outbox, inbox: config.inbox, directories: config.lark ? ['lark'] : [] },
    onOutboxWrite: () => dispatcherKick(),
    onDirectoryRequest: () => departmentsKick(),
    onFileRequest: () => filesKick(),
    buttonsFor: buttonFilter(allCommands),
    itemCards: { document: (doc, today) => documentCard(doc, today), supervision: (item, today, tz) => itemCard(item, today, undefined, tz), proposal: (p, today) => proposalCard(p, today) },
  });
  const engine = createEngine({ services, commands: allCommands, log });
  const worker = createInboxWorker({ engine, services, clock, log });

  // Once a new event is committed (not before: on PostgreSQL a worker woken earlier would not see
  // it yet), the worker takes it up; the name lookup, which reads what the engine has recorded of
  // the sender, waits until the acknowledgements of this turn are out.
  function stored(msg: IncomingMessage): void {
    worker.kick();
    if (!msg.sender.name) setImmediate(() => names.kick());
  }

  async function receive(msg: IncomingMessage): Promise<boolean> {
    const [fresh] = await engine.accept([msg]);
    if (fresh) stored(msg);
    return fresh!;
  }
  // what the messengers call before acknowledging: the events of one turn stored in one commit
  const store = groupCommit(async (msgs: IncomingMessage[]) => {
    const fresh = await engine.accept(msgs);
    msgs.forEach((msg, i) => {
      if (fresh[i]) stored(msg);
    });
    return fresh;
  });

  // loaded only when configured: the Lark SDK alone is a sizeable share of the process's memory
  const lark = config.lark
    ? (await import('./platforms/lark')).createLarkPlatform({
        settings: config.lark,
        inbound: { receive: store, runNow: (msg) => engine.runNow(msg), read: async (r) => void (await services.escalation.read('lark', r)) },
        urgentOnce: (userId, keys, messageId) => services.escalation.urgentOnce('lark', userId, keys, messageId),
        clock,
        log,
        timeoutMs: config.httpTimeoutMs,
        bodyLimitBytes: config.httpBodyLimitBytes,
        // the inbox keeps event ids this long (at least 8 h, past Lark's 7.1 h of retries)
        maxAgeMs: config.inboxRetentionMs,
      })
    : null;
  const dingtalk = config.dingtalk
    ? (await import('./platforms/dingtalk')).createDingtalkPlatform({
        settings: config.dingtalk,
        receive: store,
        claimSignature: (signedAt, msgId, forgetBefore) => services.signatureUses.claim('dingtalk', signedAt, msgId, forgetBefore),
        clock,
        log,
        timeoutMs: config.httpTimeoutMs,
        bodyLimitBytes: config.httpBodyLimitBytes,
        awaitingRead: (since) => services.escalation.awaitingRead('dingtalk', since),
        read: async (r) => void (await services.escalation.read('dingtalk', r)),
      })
    : null;
  // names by id from the platforms' directories (Feishu's events carry ids only)
  const names = createNameLookup({ services, lookups: { ...(lark ? { lark: lark.userName } : {}), ...(dingtalk ? { dingtalk: dingtalk.userName } : {}) }, clock, log });
  // Feishu's departments for 单位同步, read outside any transaction
  const departments = createDepartmentReader({ services, listing: lark?.departments ?? null, log });
  departmentsKick = () => departments.kick();
  // files people send: read in child processes started on first use
  const extractor = shared ?? createExtractor();
  const files = createFileReader({
    services,
    commands: allCommands,
    fetchers: { ...(lark ? { lark: lark.files } : {}), ...(dingtalk ? { dingtalk: dingtalk.files } : {}) },
    extractor,
    maxBytes: config.intake.maxBytes,
    keepDir: config.intake.keepDir,
    clock,
    log,
  });
  filesKick = () => files.kick();
  const platformSenders = { ...(lark ? { lark: lark.sender } : {}), ...(dingtalk ? { dingtalk: dingtalk.sender } : {}) };
  const dispatcher = createDispatcher({ outbox: services.outbox, senders: { ...platformSenders, ...senders }, clock, log });
  dispatcherKick = () => dispatcher.kick();
  const app = createApp({ db, log, webhooks: [lark?.router, dingtalk?.router].filter((r) => r != null), console: createConsoleRouter({ services, log }) });
  const exportWorker = createExportWorker({ services, dir: join(dirname(config.databasePath), 'exports'), clock, log });
  const scheduler = createScheduler({ services, schedules: config.cron, clock, log, onQueued: () => dispatcher.kick() });

  await db.tx(async () => {
    for (const id of config.adminIds) await services.people.ensureAdmin(id, undefined, systemActor('ADMIN_IDS'));
  });

  let server: Server | null = null;
  let purgeTimer: NodeJS.Timeout | null = null;
  let namesTimer: NodeJS.Timeout | null = null;
  let maintenanceTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  const maintenance = createMaintenance(db);

  return {
    config,
    db,
    services,
    engine,
    worker,
    dispatcher,
    maintenance,
    names,
    departments,
    scheduler,
    exportWorker,
    files,
    app,
    /** asks DingTalk now who has read the work notices whose checks are due; null without work notices */
    noticeReads: dingtalk?.pollNoticeReads ?? null,

    /** Stores an event and wakes the worker; false for a redelivery. */
    receive,

    /**
     * Starts the background loops, the HTTP server when a port is given (0 = any free port),
     * and the scheduled jobs when asked (the service does; tests and tools choose).
     */
    async start(listen?: { port: number; host?: string }, options: { scheduler?: boolean } = {}): Promise<void> {
      // the day's missed slots run in the background (a run never rejects); stop() waits for them
      if (options.scheduler) void scheduler.start();
      worker.start();
      dispatcher.start();
      exportWorker.start();
      files.start();
      await lark?.start();
      await dingtalk?.start();
      // what is kept only for a while goes once an hour, and once now: a bot that was down catches up
      const purge = async () => {
        await services.inbox.purge(config.inboxRetentionMs);
        await services.outbox.purge(config.outbox.retentionMs);
        await services.cardUpdates.purge();
        await services.escalation.purge();
        await services.orgSync.purge();
        await services.intake.purge();
      };
      await purge();
      // a timer's failure (the database busy or unreachable for a moment) is logged, and the next
      // run tries again: it must not end the bot
      purgeTimer = setInterval(() => void purge().catch((err) => log.warn({ err }, 'purging old inbox and outbox rows failed')), 3_600_000).unref();
      names.kick();
      departments.kick();
      // the same pace serves the departments: a read asked for in a process without Feishu, the daily refresh
      namesTimer = setInterval(() => {
        names.kick();
        departments.kick();
      }, NAMES_INTERVAL_MS).unref();
      await services.outbox.beat();
      heartbeatTimer = setInterval(() => void services.outbox.beat().catch((err) => log.warn({ err }, 'outbox heartbeat failed')), OWNER_HEARTBEAT_MS).unref();
      maintenance.takeOverCheckpoints();
      maintenanceTimer = setInterval(() => {
        maintenance.step().catch((err) => log.warn({ err }, 'database maintenance step failed'));
      }, MAINTENANCE_INTERVAL_MS).unref();
      if (listen) {
        await new Promise<void>((resolve, reject) => {
          server = app.listen(listen.port, listen.host ?? config.host, (err?: Error) => (err ? reject(err) : resolve()));
        });
      }
    },

    port(): number {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : 0;
    },

    /** Stops taking requests, lets in-flight work finish, and closes the database cleanly. */
    async stop(): Promise<void> {
      const jobsDone = scheduler.stop();
      if (purgeTimer) clearInterval(purgeTimer);
      if (namesTimer) clearInterval(namesTimer);
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      lark?.stop();
      await dingtalk?.stop();
      if (server) {
        const s = server as Server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
      }
      await names.stop();
      await departments.stop();
      await jobsDone;
      await worker.stop();
      await exportWorker.stop();
      await files.stop();
      if (!shared) await extractor.close();
      await dispatcher.stop();
      try {
        // sends have settled: whatever this process still holds is free for another at once
        await services.outbox.retire();
      } finally {
        // even when the database has failed: the checkpoint thread and the connections go
        await maintenance.close();
        await db.close();
      }
    },
  };
}

export type Bot = Awaited<ReturnType<typeof createBot>>;
