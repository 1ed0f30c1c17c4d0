// Secrets never reach the logs: the app secrets, the encrypt key, the verification token and
// every access token, whatever fails and at whatever log level.
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createBot } from '../../src/bot';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { robotMessage, signedHeaders } from '../fixtures/dingtalk';
import { startFakeLark } from '../fixtures/fake-lark';
import { messageEvent, signedRequest } from '../fixtures/lark';
import { tempDir } from '../helpers';
import { testDatabase } from '../test-db';

const SECRETS = {
  larkAppSecret: 'lark-app-secret-9f8e7d',
  encryptKey: 'lark-encrypt-key-6c5b4a',
  verificationToken: 'lark-verification-token-3e2d1c',
  tenantToken: 't-fake-tenant-token',
  dingtalkSecret: 'dingtalk-app-secret-0a9b8c',
  dingtalkToken: 'dingtalk-access-token-7d6e5f',
};

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());

it('keeps every secret out of the log while things fail all around', async () => {
  const lines: string[] = [];
  const log = createLogger('trace', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const lark = await startFakeLark();
  nock('https://api.dingtalk.com').persist().post('/v1.0/oauth2/accessToken').reply(200, { accessToken: SECRETS.dingtalkToken, expireIn: 7200 });
  nock('https://api.dingtalk.com').persist().post(/\/v1\.0\/robot\//).reply(400, { code: 'InvalidParameter', message: 'bad request' });
  const { dir, cleanup } = tempDir();
  const database = await testDatabase(dir);
  const config = loadConfig({
    ...database.env,
    LOG_LEVEL: 'trace',
    ADMIN_IDS: 'lark:ou_admin,dingtalk:manager1',
    LARK_APP_ID: 'cli_sec',
    LARK_APP_SECRET: SECRETS.larkAppSecret,
    LARK_ENCRYPT_KEY: SECRETS.encryptKey,
    LARK_VERIFICATION_TOKEN: SECRETS.verificationToken,
    LARK_DOMAIN: lark.url,
    DINGTALK_APP_KEY: 'dingkey',
    DINGTALK_APP_SECRET: SECRETS.dingtalkSecret,
    DINGTALK_ROBOT_CODE: 'dingrobot',
    HTTP_TIMEOUT_MS: '300',
  });
  log.info({ config }, 'starting with this configuration'); // even a careless log of the whole config
  const bot = await createBot({ config, log });
  await bot.start({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${bot.port()}/webhook`;
  try {
    lark.setMode('error');
    const ok = signedRequest(SECRETS.encryptKey, messageEvent({ text: '我是谁', messageId: 'om_s1' }));
    await fetch(`${base}/lark/event`, { method: 'POST', ...ok });
    await fetch(`${base}/lark/event`, { method: 'POST', ...signedRequest(SECRETS.encryptKey, messageEvent({ text: 'x' }), { signature: 'bad' }) });
    await fetch(`${base}/lark/event`, { method: 'POST', ...signedRequest('wrong-key', messageEvent({ text: 'x' })) });
    await fetch(`${base}/dingtalk`, { method: 'POST', body: JSON.stringify(robotMessage({ text: '我是谁', sessionWebhook: 'https://evil.example/x', createAt: Date.now() })), headers: signedHeaders(SECRETS.dingtalkSecret, Date.now()) });
    await fetch(`${base}/dingtalk`, { method: 'POST', body: JSON.stringify(robotMessage({ createAt: Date.now() })), headers: signedHeaders('guessed-secret', Date.now()) });
    await vi.waitFor(() => expect(lines.join('')).toContain('message not delivered'), { timeout: 10_000 });
    await vi.waitFor(() => expect(lines.join('')).toContain('DingTalk'), { timeout: 10_000 });
    // a call that hangs past the timeout is logged too, with whatever axios keeps of the request
    lark.setMode('hang');
    await vi.waitFor(() => expect(lines.some((l) => l.includes('"platform":"lark"') && l.includes('ECONNABORTED'))).toBe(true), { timeout: 15_000 });
  } finally {
    await bot.stop();
    await lark.close();
    nock.cleanAll();
    await database.drop();
    cleanup();
  }
  // a refused configuration names what is wrong, never the secrets beside it
  const refusal = (() => {
    try {
      loadConfig({ LARK_APP_ID: 'cli', LARK_APP_SECRET: SECRETS.larkAppSecret, PORT: 'x', DINGTALK_APP_SECRET: SECRETS.dingtalkSecret });
    } catch (error) {
      return error;
    }
  })();
  expect(refusal).toBeInstanceOf(ConfigError);
  expect((refusal as ConfigError).message).toContain('PORT');
  lines.push((refusal as ConfigError).message);

  const text = lines.join('\n');
  expect(lines.length).toBeGreaterThan(10);
  for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${name} appears in the log`).toBe(false);
});
