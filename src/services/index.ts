import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { Clock } from '../lib/clock';
import { localDateReader } from '../lib/dates';
import { systemActor } from './actor';
import { createAuditService } from './audit';
import { createAttentionService } from './attention';
import { createCalendarService } from './calendar';
import { createCalendarChangesService } from './calendar-changes';
import { createCardUpdatesService, type ItemCards } from './card-updates';
import { createChatsService } from './chats';
import { createDocumentsService } from './documents';
import { createEscalationService } from './escalation';
import { createInboxService, type InboxSettings } from './inbox';
import { createIntakeService } from './intake';
import { createNotifyService, type ButtonsFor } from './notify';
import { createNumbering } from './numbering';
import { createOrgSyncService } from './org-sync';
import { createOutboxService, type OutboxSettings } from './outbox';
import { createSignatureUsesService } from './signature-uses';
import { createPeopleService } from './people';
import { createProposalsService, KIND_PREFIX, type ProposalSettings } from './proposals';
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
  /** working days a supervision item is overdue before it is pressed on its unit (ESCALATE_AFTER_WORKDAYS) */
  escalateAfterWorkdays: number;
  /** the platforms whose department directory can be read (单位同步): lark when it is configured */
  directories?: readonly string[];
}

export interface ServiceOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  settings: ServiceSettings;
  /** called after a message was queued, to wake the dispatcher */
  onOutboxWrite?: () => void;
  /** called after a read of the department directory was asked for (单位同步), to wake its reader */
  onDirectoryRequest?: () => void;
  /** called after a file sent to the bot was stored to be read, to wake its reader */
  onFileRequest?: () => void;
  /** the buttons of a card a role may press (the engine's rights table, handed down) */
  buttonsFor: ButtonsFor;
  /** how an item reads as a card (the commands' builders, handed down), for the cards kept true */
  itemCards: ItemCards;
}

export function createServices({ db, clock, log, settings, onOutboxWrite, onDirectoryRequest, onFileRequest, buttonsFor, itemCards }: ServiceOptions) {
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
  // an item's card is read back through the services made below, once they are (only when a change calls for it)
  const reader = systemActor('card-updates');
  const cardUpdates = createCardUpdatesService(db, clock, {
    outbox,
    cards: itemCards,
    read: {
      document: (regNo) => documents.byRegNo(regNo, reader),
      supervision: (regNo) => supervision.get(regNo, reader),
      proposal: (regNo) => proposals.get(regNo.startsWith(KIND_PREFIX.提案) ? '提案' : '建议', regNo, reader),
    },
    today,
    timezone: settings.timezone,
  });
  const calendarChanges = createCalendarChangesService(db, clock, { calendar, audit, notify, units, cardUpdates });
  const documents = createDocumentsService(db, clock, { audit, numbering, units, notify, cardUpdates, today, workdaysBetween: (a, b) => calendar.workdaysBetween(a, b) });
  const intake = createIntakeService(db, clock, { inbox, outbox, onRequest: onFileRequest });
  const supervision = createSupervisionService(db, clock, { audit, numbering, units, people, notify, cardUpdates, calendar, proofs: (ids) => intake.ofFeedback(ids), today });
  const proposals = createProposalsService(db, clock, settings.proposals, { audit, units, notify, cardUpdates, today });
  const stats = createStatsService(db, { today });
  const reminders = createRemindersService(db, { calendar, escalateAfterWorkdays: settings.escalateAfterWorkdays });
  const escalation = createEscalationService(db, clock, { calendar, reminders, notify, units, timezone: settings.timezone });
  const ledgers = createLedgersService(db);
  const attention = createAttentionService(db, { calendar, today });
  const exports = createExportsService(db, clock, { audit, notify });
  const consoleAuth = createConsoleAuthService(db, clock);
  const jobRuns = createJobRunsService(db, clock);
  const signatureUses = createSignatureUsesService(db);
  const orgSync = createOrgSyncService(db, clock, { audit, people, units, notify, timezone: settings.timezone, directories: settings.directories ?? [], onRequest: onDirectoryRequest });
  /** What relative dates (明天, 5个工作日) are read against: today, and the calendar in force as the request began. */
  const dateContext = async () => {
    const workdays = await calendar.current();
    return { today: today(), addWorkdays: (date: string, n: number) => workdays.addWorkdays(date, n) };
  };
  return { db, clock, timezone: settings.timezone, today, dateContext, audit, calendar, calendarChanges, cardUpdates, people, units, outbox, inbox, notify, chats, documents, supervision, proposals, stats, reminders, escalation, ledgers, attention, exports, consoleAuth, jobRuns, signatureUses, orgSync, intake, consoleBaseUrl: settings.consoleBaseUrl };
}

export type Services = ReturnType<typeof createServices>;
