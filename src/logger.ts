import pino, { type DestinationStream, type Logger } from 'pino';
import { isPostgresUrl } from '../db/client';

// Secrets may sit in config objects, SDK errors (axios keeps request headers and bodies) and
// platform payloads; pino removes these paths wherever they appear at the top two levels.
const SECRET_KEYS = [
  'appSecret', 'app_secret', 'appsecret', 'encryptKey', 'encrypt_key', 'verificationToken', 'token',
  'accessToken', 'access_token', 'tenant_access_token', 'authorization', 'Authorization',
  'x-acs-dingtalk-access-token', 'sign', 'password', 'secret',
];
const REDACT = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), ...SECRET_KEYS.map((k) => `*.*.${k}`), 'err.config', 'err.request', 'err.response.config'];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'zhengwu-bot' } }, destination);
}

export type { Logger };

/**
 * Where the database is, fit for a log line or a terminal: an SQLite path as it is, a
 * PostgreSQL URL without its password (in the user part, or as a password= parameter).
 */
export function databaseLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  if (!URL.canParse(location)) return `${location.slice(0, location.indexOf(':'))}://…`;
  const url = new URL(location);
  url.password = '';
  url.searchParams.delete('password');
  return url.toString();
}
