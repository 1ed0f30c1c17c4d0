// Configuration from the environment (and ./.env when present), validated once at start-up.
import { existsSync } from 'node:fs';
import { parse as parseCron, validate as validCron } from 'node-cron';
import { z } from 'zod';
import type { Identity } from './services/people';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number({ error: `a whole number from ${min} to ${max}` }).int(`a whole number from ${min} to ${max}`).min(min, `a whole number from ${min} to ${max}`).max(max, `a whole number from ${min} to ${max}`).default(fallback);

const optionalText = z.string().trim().optional();

const list = (fallback: string) =>
  z.string().default(fallback).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

// Feishu throttles messages at the top and the half of the hour: schedules keep off both.
const offPeak = (s: string) => !parseCron(s).minute.some((m) => m === 0 || m === 30);
const cron = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((s) => validCron(s), 'a cron expression such as "50 8 * * *" (minute hour day month weekday)')
    .refine((s) => !validCron(s) || offPeak(s), 'a schedule off the hour and the half hour (Feishu throttles those), e.g. "50 8 * * *"');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Feishu's kinds of urgent alert (加急): in the app, by SMS, by phone call. */
export const URGENT_LEVELS = ['app', 'sms', 'phone'] as const;
export type UrgentLevel = (typeof URGENT_LEVELS)[number];

const url = (what: string) => z.string().refine((s) => URL.canParse(s) && /^https?:/.test(s), what);

const schema = z
  .object({
    PORT: int(0, 65535, 3000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_PATH: z.string().default('./data/bot.db'),
    // set, it selects PostgreSQL and DATABASE_PATH only places the data folder (exports, backups)
    DATABASE_URL: z.string().optional().refine((s) => s === undefined || s === '' || (URL.canParse(s) && /^postgres(ql)?:\/\//.test(s)), 'a PostgreSQL URL such as postgres://bot:secret@db.example:5432/zwbot'),
    BOT_TIMEZONE: z.string().default('Asia/Shanghai').refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    ADMIN_IDS: list('').refine((ids) => ids.every((id) => /^[a-z]+:\S+$/.test(id)), 'a comma list of platform:userId, e.g. lark:ou_xxx,dingtalk:manager1'),

    LARK_APP_ID: optionalText,
    LARK_APP_SECRET: optionalText,
    LARK_ENCRYPT_KEY: optionalText,
    LARK_VERIFICATION_TOKEN: optionalText,
    LARK_DOMAIN: z.string().default('feishu').refine((s) => s === 'feishu' || s === 'lark' || (URL.canParse(s) && /^https?:/.test(s)), 'feishu, lark, or a base URL such as http://127.0.0.1:4010'),
    LARK_MODE: z.enum(['webhook', 'websocket'], { error: 'webhook or websocket' }).default('webhook'),
    // the bot menu's items (Feishu console: 机器人 → 机器人自定义菜单, each item 推送事件 with its event key)
    LARK_MENU: list('todo=待办公文,overdue=督办逾期,stats=年度统计,week=本周统计,doc_in=收文登记,db_add=督办新建,help=帮助').refine(
      (items) => items.every((item) => /^[\w.-]{1,100}\s*=\s*\S/.test(item)),
      'a comma list of event_key=命令, e.g. todo=待办公文,overdue=督办逾期,help=帮助',
    ),
    // Feishu's 加急 for urgent documents and long-overdue items: in the app (free); SMS and phone calls draw on the tenant's paid quota
    LARK_URGENT: list('app').refine(
      (levels) => levels.includes('app') && levels.every((l) => (URGENT_LEVELS as readonly string[]).includes(l)) && new Set(levels).size === levels.length,
      'app, app,sms or app,sms,phone (sms and phone use the tenant’s paid urgent quota), e.g. app,sms',
    ),

    DINGTALK_APP_KEY: optionalText,
    DINGTALK_APP_SECRET: optionalText,
    DINGTALK_ROBOT_CODE: optionalText,
    DINGTALK_API_BASE: url('a base URL such as https://api.dingtalk.com').default('https://api.dingtalk.com'),
    DINGTALK_OAPI_BASE: url('a base URL such as https://oapi.dingtalk.com').default('https://oapi.dingtalk.com'),
    DINGTALK_SESSION_WEBHOOK_HOSTS: list('oapi.dingtalk.com'),
    DINGTALK_MODE: z.enum(['webhook', 'stream'], { error: 'webhook or stream' }).default('webhook'),
    // reminders and notices to people as 工作通知 (work notices), whose reads DingTalk reports, instead of robot messages
    DINGTALK_WORK_NOTICE: z.enum(['0', '1'], { error: '1 (work notices) or 0 (robot messages)' }).default('0'),
    // the app's AgentId (开发者后台 → 应用详情), which work notices are sent under
    DINGTALK_AGENT_ID: z.coerce.number({ error: 'the app’s AgentId, a whole number such as 3291043702' }).int('the app’s AgentId, a whole number such as 3291043702').positive('the app’s AgentId, a whole number such as 3291043702').optional(),

    REMINDER_CRON: cron('50 8 * * *'),
    FEEDBACK_CRON: cron('50 8 * * *'),
    WEEKLY_REPORT_CRON: cron('10 9 * * 1'),
    CALENDAR_CHECK_CRON: cron('20 9 * * 1'),

    // working days a supervision item is overdue before its lead unit is alerted urgently and its leader is told
    ESCALATE_AFTER_WORKDAYS: int(1, 30, 3),

    // files sent to the bot (收文 read from the file, proof with 督办反馈): the largest taken, and where copies are kept (none by default)
    INTAKE_MAX_MB: int(1, 200, 20),
    INTAKE_KEEP_DIR: optionalText,

    PROPOSAL_ANSWER_MONTHS: int(1, 6, 3),
    PROPOSAL_REDO_MONTHS: int(1, 6, 1),
    PROPOSAL_ANSWER_CLASSES: list('A,B,C,D').refine((c) => c.length >= 2, 'a comma list of at least two answer classes, e.g. A,B,C,D'),

    CONSOLE_BASE_URL: url('the address staff open the console at, e.g. https://bot.example.gov.cn').optional(),

    OUTBOX_MAX_ATTEMPTS: int(1, 100, 12),
    OUTBOX_RETRY_BASE_MS: int(10, 3_600_000, 2000),
    OUTBOX_RETRY_CAP_MS: int(100, 86_400_000, 600_000),
    OUTBOX_RETENTION_DAYS: int(1, 3650, 30),
    INBOX_MAX_ATTEMPTS: int(1, 100, 5),
    INBOX_RETENTION_HOURS: int(8, 24 * 365, 72),
    HTTP_BODY_LIMIT_KB: int(1, 10_240, 1024),
    HTTP_TIMEOUT_MS: int(100, 120_000, 10_000),
  });

// Variables that only make sense together, checked apart from the schema so that their
// problems are listed alongside every other bad variable.
const TOGETHER = [
  ['LARK_APP_ID', 'LARK_APP_SECRET'],
  ['DINGTALK_APP_KEY', 'DINGTALK_APP_SECRET', 'DINGTALK_ROBOT_CODE'],
];

function missingPartners(given: Record<string, unknown>): string[] {
  return TOGETHER.flatMap((group) => {
    const set = group.filter((k) => given[k] !== undefined);
    return set.length === 0 ? [] : group.filter((k) => given[k] === undefined).map((k) => `${k}: expected to be set together with ${set.join(', ')}`);
  });
}

// Lark's webhooks are open to whoever finds their URL: without an Encrypt Key (signature) or at
// least a Verification Token, a forged event would be taken for Lark's. The long connection is
// Lark's own channel and needs neither.
function unauthenticatedLark(given: Record<string, unknown>): string[] {
  const webhook = given.LARK_APP_ID !== undefined && (given.LARK_MODE ?? 'webhook') === 'webhook';
  if (!webhook || given.LARK_ENCRYPT_KEY !== undefined || given.LARK_VERIFICATION_TOKEN !== undefined) return [];
  return [
    'LARK_ENCRYPT_KEY: expected to be set (or at least LARK_VERIFICATION_TOKEN) when Lark events come by webhook: without either anyone who finds the URL can send events. ' +
      'Copy them from the Feishu developer console, 事件与回调 → 加密策略 (Encrypt Key, Verification Token); or set LARK_MODE=websocket',
  ];
}

/** Every variable the bot reads. */
export const VARIABLES = Object.keys(schema.shape);

function shape(env: z.output<typeof schema>) {
  return {
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    /** what openDatabase opens: the PostgreSQL URL when one is set, else the SQLite file */
    database: env.DATABASE_URL || env.DATABASE_PATH,
    timezone: env.BOT_TIMEZONE,
    logLevel: env.LOG_LEVEL,
    adminIds: (env.ADMIN_IDS).map((id): Identity => {
      const at = id.indexOf(':');
      return { platform: id.slice(0, at), userId: id.slice(at + 1) };
    }),
    lark: env.LARK_APP_ID && env.LARK_APP_SECRET
      ? {
          appId: env.LARK_APP_ID,
          appSecret: env.LARK_APP_SECRET,
          encryptKey: env.LARK_ENCRYPT_KEY,
          verificationToken: env.LARK_VERIFICATION_TOKEN,
          domain: env.LARK_DOMAIN,
          mode: env.LARK_MODE,
          urgent: env.LARK_URGENT as UrgentLevel[],
          menu: Object.fromEntries(env.LARK_MENU.map((item) => [item.slice(0, item.indexOf('=')).trim(), item.slice(item.indexOf('=') + 1).trim()])),
        }
      : null,
    dingtalk: env.DINGTALK_APP_KEY && env.DINGTALK_APP_SECRET && env.DINGTALK_ROBOT_CODE
      ? {
          appKey: env.DINGTALK_APP_KEY,
          appSecret: env.DINGTALK_APP_SECRET,
          robotCode: env.DINGTALK_ROBOT_CODE,
          apiBase: env.DINGTALK_API_BASE,
          oapiBase: env.DINGTALK_OAPI_BASE,
          sessionWebhookHosts: env.DINGTALK_SESSION_WEBHOOK_HOSTS,
          mode: env.DINGTALK_MODE,
          workNotice: env.DINGTALK_WORK_NOTICE === '1' && env.DINGTALK_AGENT_ID !== undefined ? { agentId: env.DINGTALK_AGENT_ID } : null,
        }
      : null,
    cron: { reminders: env.REMINDER_CRON, feedback: env.FEEDBACK_CRON, weeklyReport: env.WEEKLY_REPORT_CRON, calendarCheck: env.CALENDAR_CHECK_CRON },
    escalateAfterWorkdays: env.ESCALATE_AFTER_WORKDAYS,
    intake: { maxBytes: env.INTAKE_MAX_MB * 1024 * 1024, keepDir: env.INTAKE_KEEP_DIR || null },
    proposals: {
      answerMonths: env.PROPOSAL_ANSWER_MONTHS,
      redoMonths: env.PROPOSAL_REDO_MONTHS,
      answerClasses: env.PROPOSAL_ANSWER_CLASSES,
    },
    // without one, links point at this machine, which suits a local trial
    consoleBaseUrl: (env.CONSOLE_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    outbox: {
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      backoffBaseMs: env.OUTBOX_RETRY_BASE_MS,
      backoffCapMs: env.OUTBOX_RETRY_CAP_MS,
      leaseMs: Math.max(60_000, 3 * (env.HTTP_TIMEOUT_MS)),
      retentionMs: env.OUTBOX_RETENTION_DAYS * 86_400_000,
    },
    inbox: { maxAttempts: env.INBOX_MAX_ATTEMPTS, backoffBaseMs: 1000, backoffCapMs: 300_000 },
    inboxRetentionMs: (env.INBOX_RETENTION_HOURS) * 3_600_000,
    httpBodyLimitBytes: (env.HTTP_BODY_LIMIT_KB) * 1024,
    httpTimeoutMs: env.HTTP_TIMEOUT_MS,
  };
}

export type Config = ReturnType<typeof shape>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // an empty line in .env means "not set", as a newcomer expects
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(given);
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((i) => {
          const name = String(i.path[0]);
          const got = /SECRET|KEY|TOKEN|DATABASE_URL/.test(name) ? 'hidden' : JSON.stringify(given[name] ?? null);
          return `${name}: expected ${i.message} (got ${got})`;
        })),
    ...missingPartners(given),
    ...unauthenticatedLark(given),
    ...(given.DINGTALK_WORK_NOTICE === '1' && given.DINGTALK_AGENT_ID === undefined
      ? ['DINGTALK_AGENT_ID: expected to be set when DINGTALK_WORK_NOTICE=1: work notices are sent under the app’s AgentId (DingTalk developer console → 应用详情)']
      : []),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return shape(result.data);
}

/** Reads ./.env into process.env (variables already set win), as a convenience for local runs. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** For every command-line entry point: the configuration, or exit 1 listing what is wrong. */
export function configOrExit(): Config {
  loadDotEnv();
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`政务助手 cannot start: ${error.message}\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
}
