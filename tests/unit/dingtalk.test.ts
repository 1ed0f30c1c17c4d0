import { describe, expect, it } from 'vitest';
import { dingtalkSign, signatureValid } from '../../src/platforms/dingtalk/crypto';
import { sessionWebhookUsable } from '../../src/platforms/dingtalk/sender';

describe('DingTalk signature', () => {
  it('matches the reference vector and its one-hour window', () => {
    // DingTalk's open-platform documentation, computed independently with Node and Python
    expect(dingtalkSign('1700000000000', 'testAppSecret123')).toBe('oUvnJAV+SePSdqHb1KCEBBCvuY7xqI7JqwexuW15D/A=');
    const sign = 'oUvnJAV+SePSdqHb1KCEBBCvuY7xqI7JqwexuW15D/A=';
    expect(signatureValid('1700000000000', sign, 'testAppSecret123', 1700000000000 + 3_599_000)).toBe(true);
    expect(signatureValid('1700000000000', sign, 'testAppSecret123', 1700000000000 + 3_601_000)).toBe(false);
    expect(signatureValid('1700000000000', sign, 'another', 1700000000000)).toBe(false);
    expect(signatureValid(undefined, sign, 'testAppSecret123', 1700000000000)).toBe(false);
    expect(signatureValid('not-a-number', sign, 'testAppSecret123', 1700000000000)).toBe(false);
  });
});

describe('sessionWebhook', () => {
  const now = 1_800_000_000_000;
  it('is used only on an allowed https host and while it has more than five minutes to live', () => {
    const ok = { sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=1', sessionWebhookExpiredTime: now + 600_000 };
    expect(sessionWebhookUsable(ok, ['oapi.dingtalk.com'], now)).toBe(ok.sessionWebhook);
    expect(sessionWebhookUsable({ ...ok, sessionWebhookExpiredTime: now + 200_000 }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'https://oapi.dingtalk.com.evil.example/x' }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'http://oapi.dingtalk.com/x' }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'http://127.0.0.1:22/' }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable(undefined, ['oapi.dingtalk.com'], now)).toBeNull();
    // only https on 443 and the sendBySession path
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'https://oapi.dingtalk.com:8443/robot/sendBySession?session=s' }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'https://oapi.dingtalk.com/robot/send?access_token=x' }, ['oapi.dingtalk.com'], now)).toBeNull();
    expect(sessionWebhookUsable({ ...ok, sessionWebhook: 'https://oapi.dingtalk.com:443/robot/sendBySession?session=s' }, ['oapi.dingtalk.com'], now)).toBe('https://oapi.dingtalk.com:443/robot/sendBySession?session=s');
  });
});
