import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { Clock } from '../lib/clock';
import { localDateReader } from '../lib/dates';
import { createAuditService } from './audit';
import { createAttentionService } from './attention';
import { createCalendarService } from './calendar';
import { createCalendarChangesService } from './calendar-changes';
import { createChatsService } from './chats';
import { createDocumentsService } from './documents';
import { createInboxService, type InboxSettings } from './inbox';
import { createNotifyService, type ButtonsFor } from './notify';
import { createNumbering } from './numbering';
import { createOutboxService, type OutboxSettings } from './outbox';
import { createSignatureUsesService } from './signature-uses';
import { createPeopleService } from './people';
import { createProposalsService, type ProposalSettings } from './proposals';
import { createConsoleAuthService } from './console-auth';
import { createExportsService } from './exports';
import { createJobRunsService } from './job-runs';
import { createLedgersService } from './ledgers';
import { createRemindersService } from './reminders';
import { createStatsService } from './stats';
import { createSupervisionService } from './supervision';
import { createUnitsService } from './units';

export interface ServiceSettings {
  timezone: string;
  proposals: ProposalSettings;
  /** where the web console is reached, for sign-in links */
  consoleBaseUrl: string;
  outbox: OutboxSettings;
  inbox: InboxSettings;
}

export interface ServiceOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  settings: ServiceSettings;
  /** called after a message was queued, to wake the dispatcher */
  onOutboxWrite?: () => void;
  /** the buttons of a card a role may press (the engine's rights table, handed down) */
  buttonsFor: ButtonsFor;
}

export function createServices({ db, clock, log, settings, onOutboxWrite, buttonsFor }: ServiceOptions) {
  const localDate = localDateReader(settings.timezone);
  const today = () => localDate(clock.now());
  const audit = createAuditService(db, clock);
  const calendar = createCalendarService(db, clock, audit, log);
  const people = createPeopleService(db, clock, audit);
  const units = createUnitsService(db, clock, audit, people);
  const outbox = createOutboxService(db, clock, settings.outbox, onOutboxWrite);
  const inbox = createInboxService(db, clock, settings.inbox);
  const notify = createNotifyService(outbox, people, buttonsFor);
  const numbering = createNumbering(db);
  const chats = createChatsService(db, clock, audit);
  const calendarChanges = createCalendarChangesService(db, clock, { calendar, audit, notify, units });
  const documents = createDocumentsService(db, clock, { audit, numbering, units, notify, today, workdaysBetween: (a, b) => calendar.workdaysBetween(a, b) });
  const supervision = createSupervisionService(db, clock, { audit, numbering, units, people, notify, calendar, today });
  const proposals = createProposalsService(db, clock, settings.proposals, { audit, units, notify, today });
  const stats = createStatsService(db, { today });
  const reminders = createRemindersService(db, { calendar });
  const ledgers = createLedgersService(db);
  const attention = createAttentionService(db, { calendar, today });
  const exports = createExportsService(db, clock, { audit, notify });
  const consoleAuth = createConsoleAuthService(db, clock);
  const jobRuns = createJobRunsService(db, clock);
  const signatureUses = createSignatureUsesService(db);
  /** What relative dates (明天, 5个工作日) are read against: today, and the calendar in force as the request began. */
  const dateContext = async () => {
    const workdays = await calendar.current();
    return { today: today(), addWorkdays: (date: string, n: number) => workdays.addWorkdays(date, n) };
  };
  return { db, clock, timezone: settings.timezone, today, dateContext, audit, calendar, calendarChanges, people, units, outbox, inbox, notify, chats, documents, supervision, proposals, stats, reminders, ledgers, attention, exports, consoleAuth, jobRuns, signatureUses, consoleBaseUrl: settings.consoleBaseUrl };
}

export type Services = ReturnType<typeof createServices>;
