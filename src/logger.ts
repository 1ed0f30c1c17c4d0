import pino, { type DestinationStream, type Logger } from 'pino';

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
