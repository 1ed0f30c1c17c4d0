// Instants are epoch milliseconds (UTC); business dates are 'YYYY-MM-DD' in BOT_TIMEZONE.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  shortName: text('short_name'),
  createdAt: integer('created_at').notNull(),
  // the Feishu department (open_department_id) 单位同步 matched it with: one unit per department
  larkDepartmentId: text('lark_department_id').unique(),
});

// Other names staff write for a unit (住建局, 建设局 for 县住房和城乡建设局), set by 单位设置; an
// alias names one unit only, so it is the table's key.
export const unitAliases = sqliteTable(
  'unit_aliases',
  {
    alias: text('alias').primaryKey(),
    unitId: integer('unit_id').notNull().references(() => units.id),
  },
  (t) => [index('unit_aliases_unit').on(t.unitId)],
);

export const people = sqliteTable('people', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().default(''),
  // contact | staff | leader | admin; null = known to the bot but without rights
  role: text('role', { enum: ['contact', 'staff', 'leader', 'admin'] }),
  // the unit a contact (联络员) acts for; their reads are narrowed to it
  unitId: integer('unit_id').references(() => units.id),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const identities = sqliteTable(
  'identities',
  {
    platform: text('platform').notNull(),
    userId: text('user_id').notNull(),
    personId: integer('person_id').notNull().references(() => people.id),
    lastSeenAt: integer('last_seen_at'),
    // when the platform's directory was last asked for this person's name (answered or not)
    nameCheckedAt: integer('name_checked_at'),
    // the same person's other ids where the platform sends them (Feishu: union_id, the same in every
    // app of one developer, and the tenant's user_id; user_id above is this app's open_id), so that
    // a second app of the tenant can be added later without losing anyone
    unionId: text('union_id'),
    tenantUserId: text('tenant_user_id'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.userId] }), index('identities_person').on(t.personId)],
);

export const unitContacts = sqliteTable(
  'unit_contacts',
  {
    unitId: integer('unit_id').notNull().references(() => units.id),
    personId: integer('person_id').notNull().references(() => people.id),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.personId] })],
);

export const chats = sqliteTable(
  'chats',
  {
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    type: text('type', { enum: ['p2p', 'group'] }).notNull(),
    title: text('title'),
    enabledGroups: text('enabled_groups', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    subscriptions: text('subscriptions', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // the day a closed group last heard "not enabled here", so it hears it at most once a day
    closedNoticeOn: text('closed_notice_on'),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.chatId] })],
);

// One row per (kind, year): the last registration number handed out. Bumped inside the
// registering transaction, so numbers are gap-free and never reused.
export const counters = sqliteTable(
  'counters',
  {
    kind: text('kind').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.year] })],
);

export const documents = sqliteTable(
  'documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull().unique(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    title: text('title').notNull(),
    docNumber: text('doc_number'),
    // 文号 with brackets and widths unified, so 〔2026〕 and [2026] are the same number
    docNumberKey: text('doc_number_key'),
    sourceUnit: text('source_unit'),
    recipients: text('recipients'),
    draftingUnit: text('drafting_unit'),
    urgency: text('urgency', { enum: ['特急', '加急', '平件'] }).notNull(),
    // 收文日期 or 成文日期
    docDate: text('doc_date').notNull(),
    dueDate: text('due_date'),
    // a 办理时限 given as N个工作日: N and the day it was counted from, so a new calendar can move it
    dueWorkdays: integer('due_workdays'),
    dueCountedFrom: text('due_counted_from'),
    handlingUnitId: integer('handling_unit_id').references(() => units.id),
    remarks: text('remarks'),
    status: text('status', { enum: ['registered', 'assigned', 'closed'] }).notNull(),
    assignedAt: integer('assigned_at'),
    // the local day it was first handed to a unit: "urgent ones handled at once" compares it with doc_date
    assignedDate: text('assigned_date'),
    closedAt: integer('closed_at'),
    closedDate: text('closed_date'),
    closedOnTime: integer('closed_on_time', { mode: 'boolean' }),
    // working days from arrival to closing, fixed when it closes (the statistics average it)
    handlingWorkdays: integer('handling_workdays'),
    result: text('result'),
    createdBy: integer('created_by').references(() => people.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // covering indexes for the period statistics, which read these columns over a year at a time
    index('documents_closed').on(t.status, t.closedDate, t.closedOnTime, t.handlingWorkdays),
    index('documents_in_period').on(t.direction, t.docDate, t.urgency, t.assignedDate),
    uniqueIndex('documents_kind_seq').on(t.direction, t.year, t.seq),
    index('documents_doc_number').on(t.direction, t.docNumberKey),
    index('documents_open_due').on(t.status, t.dueDate),
    index('documents_unit').on(t.handlingUnitId, t.status),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    personId: integer('person_id'),
    chat: text('chat'),
    action: text('action').notNull(),
    target: text('target'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
  },
  (t) => [index('audit_target').on(t.target)],
);

export const inbox = sqliteTable(
  'inbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    // a second delivery key: Lark may push the same message under a new event_id
    messageId: text('message_id'),
    payload: text('payload', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
  },
  (t) => [
    uniqueIndex('inbox_event').on(t.platform, t.eventId),
    uniqueIndex('inbox_message').on(t.platform, t.messageId).where(sql`message_id IS NOT NULL`),
    index('inbox_pending').on(t.status, t.nextAttemptAt),
    index('inbox_received').on(t.receivedAt),
  ],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    dedupeKey: text('dedupe_key').notNull().unique(),
    platform: text('platform').notNull(),
    // the conversation the row belongs to; rows of one conversation are delivered in id order
    conversation: text('conversation').notNull(),
    target: text('target', { mode: 'json' }).notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    // a claim by one dispatcher; another may take the row once it has passed, or once the
    // process that holds it (lease_owner, in outbox_owners) has stopped beating
    leaseUntil: integer('lease_until'),
    leaseOwner: text('lease_owner'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_conversation').on(t.conversation, t.status)],
);

// Signed timestamps a platform's callbacks have used (DingTalk signs the timestamp, not the body):
// each is good for one message, so a captured signature cannot carry another body. Kept while the
// timestamp is inside the signature's window.
export const signatureUses = sqliteTable(
  'signature_uses',
  {
    platform: text('platform').notNull(),
    signedAt: integer('signed_at').notNull(),
    messageId: text('message_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.signedAt] })],
);

// Messages the platforms accepted from the bot, by the platform's own message id: which cards
// show which item (brought up to date when it changes), and who has read what.
export const sentMessages = sqliteTable(
  'sent_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    messageId: text('message_id').notNull(),
    outboxId: integer('outbox_id').notNull(),
    // where it went: a person by their id on the platform, or a chat
    userId: text('user_id'),
    chatId: text('chat_id'),
    // the card's subject (Card.about), null for a message about no one item
    subject: text('subject'),
    sentAt: integer('sent_at').notNull(),
    // the commands of the card's buttons as this copy showed them: an update keeps no others, so
    // no copy gains a button its recipients were not offered (a group chat, a leader's fallback)
    commands: text('commands', { mode: 'json' }).$type<string[]>(),
    // a one-to-one deadline reminder to a unit's contacts: its unit, the items it listed
    // ('supervision:DB-2026-0001', …), how far it was followed up unread (1: the unit's other
    // contacts told, 2: the items' leaders or the admins, or nothing left open to follow up) and when
    unitId: integer('unit_id'),
    subjects: text('subjects', { mode: 'json' }).$type<string[]>(),
    escalated: integer('escalated').notNull().default(0),
    escalatedAt: integer('escalated_at'),
  },
  (t) => [
    uniqueIndex('sent_messages_message').on(t.platform, t.messageId),
    index('sent_messages_subject').on(t.subject, t.sentAt),
    index('sent_messages_sent').on(t.sentAt),
    index('sent_messages_unit').on(t.unitId, t.sentAt),
  ],
);

// Who read which of the bot's messages (Feishu's read event), kept apart from sent_messages: a read
// may come before the message is marked sent, and must not be lost then.
export const messageReads = sqliteTable(
  'message_reads',
  {
    platform: text('platform').notNull(),
    messageId: text('message_id').notNull(),
    userId: text('user_id').notNull(),
    readAt: integer('read_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.messageId, t.userId] }), index('message_reads_read').on(t.readAt)],
);

// Urgent alerts (Feishu's 加急) made, one per person and key (an item and a level, e.g.
// supervision:DB-2026-0001:overdue-3): taken before the call, so a redelivered, retried or
// restarted send never alerts twice.
export const urgentAlerts = sqliteTable(
  'urgent_alerts',
  {
    platform: text('platform').notNull(),
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    messageId: text('message_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.userId, t.key] })],
);

// The processes that send from the outbox, each with the last time it showed it was alive: a
// restarted bot need not wait out the leases of one that was killed.
export const outboxOwners = sqliteTable('outbox_owners', {
  owner: text('owner').primaryKey(),
  heartbeatAt: integer('heartbeat_at').notNull(),
});

export const jobRuns = sqliteTable(
  'job_runs',
  {
    job: text('job').notNull(),
    slot: text('slot').notNull(),
    status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    summary: text('summary', { mode: 'json' }),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);

// The State Council's yearly notices as read (节假日导入): a pending one awaits an admin's
// confirmation; the confirmed one of a year is that year's calendar, before chinese-days' data.
export const calendarNotices = sqliteTable(
  'calendar_notices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    holidays: text('holidays', { mode: 'json' }).notNull().$type<{ name: string; off: string[]; work: string[] }[]>(),
    status: text('status', { enum: ['pending', 'confirmed', 'superseded'] }).notNull(),
    createdBy: integer('created_by').references(() => people.id),
    createdAt: integer('created_at').notNull(),
    confirmedBy: integer('confirmed_by').references(() => people.id),
    confirmedAt: integer('confirmed_at'),
  },
  (t) => [index('calendar_notices_status').on(t.status, t.year)],
);

export const calendarOverrides = sqliteTable('calendar_overrides', {
  date: text('date').primaryKey(),
  workday: integer('workday', { mode: 'boolean' }).notNull(),
  setBy: integer('set_by').references(() => people.id),
  setAt: integer('set_at').notNull(),
});

// 督办: supervision items, their units, feedback and extension requests.
export const supervisionItems = sqliteTable(
  'supervision_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull().unique(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    title: text('title').notNull(),
    // 未注明: created without a source or a leader; counted apart from 领导批示
    source: text('source', { enum: ['领导批示', '常务会议', '重点工作', '问题清单', '未注明'] }).notNull(),
    leaderId: integer('leader_id').references(() => people.id),
    instruction: text('instruction'),
    startDate: text('start_date').notNull(),
    deadline: text('deadline').notNull(),
    // a 时限 given as N个工作日: N and the day it was counted from, so a new calendar can move it
    deadlineWorkdays: integer('deadline_workdays'),
    deadlineCountedFrom: text('deadline_counted_from'),
    feedbackCycle: text('feedback_cycle', { enum: ['一次', '每周', '每月'] }).notNull(),
    status: text('status', { enum: ['assigned', 'in_progress', 'closed'] }).notNull(),
    lastFeedbackDate: text('last_feedback_date'),
    closedAt: integer('closed_at'),
    closedDate: text('closed_date'),
    closedOnTime: integer('closed_on_time', { mode: 'boolean' }),
    result: text('result'),
    createdBy: integer('created_by').references(() => people.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('supervision_kind_seq').on(t.year, t.seq),
    index('supervision_open_deadline').on(t.status, t.deadline),
    index('supervision_started').on(t.startDate, t.source),
    index('supervision_closed').on(t.status, t.closedDate, t.closedOnTime),
  ],
);

export const supervisionUnits = sqliteTable(
  'supervision_units',
  {
    itemId: integer('item_id').notNull().references(() => supervisionItems.id),
    unitId: integer('unit_id').notNull().references(() => units.id),
    lead: integer('lead', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.unitId] }), index('supervision_units_unit').on(t.unitId)],
);

export const supervisionFeedback = sqliteTable(
  'supervision_feedback',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    itemId: integer('item_id').notNull().references(() => supervisionItems.id),
    personId: integer('person_id').references(() => people.id),
    author: text('author').notNull(),
    at: integer('at').notNull(),
    date: text('date').notNull(),
    text: text('text').notNull(),
  },
  (t) => [index('supervision_feedback_item').on(t.itemId), index('supervision_feedback_date').on(t.date, t.itemId)],
);

export const supervisionExtensions = sqliteTable(
  'supervision_extensions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    itemId: integer('item_id').notNull().references(() => supervisionItems.id),
    requestedBy: integer('requested_by').references(() => people.id),
    requester: text('requester').notNull(),
    requestedAt: integer('requested_at').notNull(),
    oldDeadline: text('old_deadline').notNull(),
    newDeadline: text('new_deadline').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    decidedBy: integer('decided_by').references(() => people.id),
    decidedAt: integer('decided_at'),
    decisionReason: text('decision_reason'),
  },
  (t) => [index('supervision_extensions_item').on(t.itemId, t.status)],
);

// 建议提案: NPC deputies' suggestions (建议, JY-) and CPPCC members' proposals (提案, TA-).
export const proposals = sqliteTable(
  'proposals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull().unique(),
    kind: text('kind', { enum: ['建议', '提案'] }).notNull(),
    year: integer('year').notNull(),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    proposers: text('proposers').notNull(),
    assignedDate: text('assigned_date').notNull(),
    // the due date of the current round: the first answer's, or a re-handling's
    dueDate: text('due_date').notNull(),
    // a 答复期限 given as N个工作日: N and the day it was counted from, so a new calendar can move it
    dueWorkdays: integer('due_workdays'),
    dueCountedFrom: text('due_counted_from'),
    status: text('status', { enum: ['assigned', 'in_progress', 'answered', 'evaluated'] }).notNull(),
    round: integer('round').notNull().default(1),
    // the first answer decides "answered on time" (the statutory three months)
    firstAnswerOnTime: integer('first_answer_on_time', { mode: 'boolean' }),
    answerClass: text('answer_class'),
    answerDate: text('answer_date'),
    answerText: text('answer_text'),
    answeredOnTime: integer('answered_on_time', { mode: 'boolean' }),
    evaluation: text('evaluation', { enum: ['满意', '基本满意', '不满意'] }),
    evaluatedDate: text('evaluated_date'),
    createdBy: integer('created_by').references(() => people.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('proposals_kind_year_number').on(t.kind, t.year, t.number), index('proposals_year_status').on(t.kind, t.year, t.status), index('proposals_due').on(t.status, t.dueDate)],
);

export const proposalUnits = sqliteTable(
  'proposal_units',
  {
    proposalId: integer('proposal_id').notNull().references(() => proposals.id),
    unitId: integer('unit_id').notNull().references(() => units.id),
    lead: integer('lead', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.unitId] }), index('proposal_units_unit').on(t.unitId, t.lead)],
);

/** Earlier rounds of an item sent back by 不满意: their answer and evaluation, kept. */
export const proposalRounds = sqliteTable(
  'proposal_rounds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    proposalId: integer('proposal_id').notNull().references(() => proposals.id),
    round: integer('round').notNull(),
    dueDate: text('due_date').notNull(),
    answerClass: text('answer_class').notNull(),
    answerDate: text('answer_date').notNull(),
    answerText: text('answer_text'),
    answeredOnTime: integer('answered_on_time', { mode: 'boolean' }).notNull(),
    evaluation: text('evaluation').notNull(),
    evaluatedDate: text('evaluated_date').notNull(),
  },
  (t) => [index('proposal_rounds_proposal').on(t.proposalId)],
);

/**
 * Each reminder once a day: an item, what about, on which day. Its recipients follow from the item
 * (its unit's contacts, its leader), and their messages are deduplicated in the outbox.
 */
export const remindersSent = sqliteTable(
  'reminders_sent',
  {
    date: text('date').notNull(),
    ref: text('ref').notNull(),
    kind: text('kind').notNull(),
  },
  (t) => [primaryKey({ columns: [t.date, t.ref, t.kind] })],
);

/** Ledgers asked for in chat: made in the background, then sent to whoever asked. */
export const exportRequests = sqliteTable(
  'export_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['公文', '建议', '提案', '督办'] }).notNull(),
    year: integer('year').notNull(),
    personId: integer('person_id').notNull().references(() => people.id),
    // a unit contact's ledger holds their unit's items only
    unitId: integer('unit_id').references(() => units.id),
    // working: taken by one bot instance's export worker, since claimed_at; another takes it over
    // once that claim is older than the worker's lease (its instance died while making the file)
    status: text('status', { enum: ['pending', 'working', 'done', 'failed'] }).notNull(),
    file: text('file'),
    error: text('error'),
    requestedAt: integer('requested_at').notNull(),
    claimedAt: integer('claimed_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('export_requests_pending').on(t.status, t.id)],
);

/** Settings the installation makes for itself (the web console's signing secret). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Sign-in links to the web console: single use, ten minutes, one person. */
export const consoleLinks = sqliteTable('console_links', {
  nonce: text('nonce').primaryKey(),
  personId: integer('person_id').notNull().references(() => people.id),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

export const consoleSessions = sqliteTable('console_sessions', {
  // the cookie holds the id; only its hash is stored
  idHash: text('id_hash').primaryKey(),
  personId: integer('person_id').notNull().references(() => people.id),
  csrf: text('csrf').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

// The flood guard's counts, shared by every instance: one row per sender ('p:<person>') and per
// chat ('c:<platform>:<chat>'), counting the messages of the minute starting at window_start and
// reset when a new minute begins, so nothing ever needs deleting.
export const floodCounts = sqliteTable('flood_counts', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
});

// Feishu's departments as read for 单位同步, by a background task outside any transaction (a
// command cannot wait on Feishu): a request is a row being read; the proposal is worked out from
// the departments read; applied_at makes 确认 take effect once.
export const orgSnapshots = sqliteTable(
  'org_snapshots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    status: text('status', { enum: ['reading', 'read', 'failed'] }).notNull(),
    requestedAt: integer('requested_at').notNull(),
    // the people told when the read is done (none for the daily refresh)
    requestedBy: text('requested_by', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    // when a process took the read up: another leaves it alone for a while
    claimedAt: integer('claimed_at'),
    readAt: integer('read_at'),
    departments: text('departments', { mode: 'json' }).$type<{ id: string; name: string; parentId: string; leaderId?: string | undefined }[]>(),
    error: text('error'),
    appliedAt: integer('applied_at'),
    appliedBy: text('applied_by'),
  },
  (t) => [index('org_snapshots_platform').on(t.platform, t.status, t.id)],
);

// Files sent to the bot: a 公文 read to fill in its 收文登记 draft, or proof sent with a 督办反馈.
// The bytes are fetched and read outside any transaction (requested → working → settled); what is
// kept of a file is its name, size, page count and SHA-256, never its text. A 涉密 file's row is
// deleted outright. kept_path only where the office keeps copies (INTAKE_KEEP_DIR).
export const receivedFiles = sqliteTable(
  'received_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    purpose: text('purpose', { enum: ['document', 'proof'] }).notNull(),
    // pending → working (claimed by one instance since claimed_at) → draft (read, awaiting 收文登记)
    // → registered; or attached (proof); or refused (not readable, too large …: kept as a name only)
    status: text('status', { enum: ['pending', 'working', 'draft', 'registered', 'attached', 'refused'] }).notNull(),
    platform: text('platform').notNull(),
    // what the platform's download needs, and where the answer goes: dropped once settled
    handle: text('handle', { mode: 'json' }).$type<Record<string, string>>(),
    replyTo: text('reply_to', { mode: 'json' }).$type<Record<string, unknown>>(),
    // the inbox event it came in, whose content is forgotten with the file if the file is 涉密
    eventId: text('event_id').notNull(),
    personId: integer('person_id').references(() => people.id),
    name: text('name').notNull(),
    size: integer('size'),
    pages: integer('pages'),
    format: text('format'),
    sha256: text('sha256'),
    keptPath: text('kept_path'),
    documentId: integer('document_id').references(() => documents.id),
    feedbackId: integer('feedback_id').references(() => supervisionFeedback.id),
    refusal: text('refusal'),
    receivedAt: integer('received_at').notNull(),
    claimedAt: integer('claimed_at'),
    settledAt: integer('settled_at'),
  },
  (t) => [index('received_files_pending').on(t.status, t.id), index('received_files_sha256').on(t.sha256), index('received_files_document').on(t.documentId), index('received_files_feedback').on(t.feedbackId)],
);
