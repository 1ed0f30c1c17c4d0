import { describe, expect, it } from 'vitest';
import { dingtalkSign, signatureValid } from '../../src/platforms/dingtalk/crypto';
import { sessionWebhookUsable, withinNoticeLimit } from '../../src/platforms/dingtalk/sender';
import { asSendError, oapiError } from '../../src/platforms/dingtalk/client';
import { AxiosError, AxiosHeaders } from 'axios';

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

describe('a DingTalk API error', () => {
  const answered = (status: number, code: string) => {
    const error = new AxiosError('failed', 'ERR_BAD_RESPONSE', undefined, undefined, { status, statusText: '', headers: {}, config: { headers: new AxiosHeaders() }, data: { code, message: '…', requestid: 'r' } });
    return asSendError(error, 'DingTalk /v1.0/robot/oToMessages/batchSend');
  };

  it('is tried again when it is throttling, a server error or the token, and given up when waiting will not help', () => {
    expect(answered(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi').permanent).toBe(false);
    expect(answered(403, 'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi').permanent).toBe(false);
    expect(answered(429, 'system.busy').permanent).toBe(false);
    expect(answered(503, 'ServiceUnavailable').permanent).toBe(false);
    expect(answered(401, 'InvalidAuthentication').permanent).toBe(false);
    expect(answered(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg').permanent).toBe(true);
    expect(answered(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied').permanent).toBe(true);
    expect(answered(400, 'staffId.notExisted').permanent).toBe(true);
  });

  it('of the old API is tried again only for being busy or throttled, or for its token (asked anew)', () => {
    for (const errcode of [-1, 90002, 90005, 90006, 90018, 143103, 143104, 40014, 42001]) expect(oapiError('x', { errcode }).permanent, String(errcode)).toBe(false);
    for (const errcode of [90020, 40004, 60011, 1430002]) expect(oapiError('x', { errcode }).permanent, String(errcode)).toBe(true);
  });
});

describe('a work notice', () => {
  it('keeps within DingTalk’s 5,000 characters by whole lines, saying the rest is left out', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `【逾期 ${i} 天】DB\\-2026\\-${String(i).padStart(4, '0')} 推进老旧小区改造（督办，时限 2026\\-11\\-25）`);
    const long = { kind: 'markdown' as const, title: '到期提醒：300 件', markdown: lines.join('  \n') };
    const cut = withinNoticeLimit(long);
    if (cut.kind !== 'markdown') throw new Error(cut.kind);
    expect(cut.markdown.length).toBeLessThanOrEqual(5000);
    expect(cut.markdown).toContain('以下从略');
    const shown = cut.markdown.split('\n').slice(0, -1);
    expect(shown.every((l, i) => l === `${lines[i]}  ` || (i === shown.length - 1 && l.trim() === ''))).toBe(true);
    const short = { kind: 'text' as const, title: 't', text: lines.slice(0, 3).join('\n') };
    expect(withinNoticeLimit(short)).toBe(short);
  });
});

