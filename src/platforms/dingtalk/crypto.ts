// DingTalk's HTTP callback signature (DingTalk's open-platform documentation): base64(HMAC-SHA256(appSecret,
// timestamp + "\n" + appSecret)). It covers the timestamp only, not the body.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_WINDOW_MS = 3_600_000;

export function dingtalkSign(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

export function signatureValid(timestamp: string | undefined, sign: string | undefined, appSecret: string, now: number): boolean {
  if (!timestamp || !sign || !/^\d{10,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_MS) return false;
  const want = Buffer.from(dingtalkSign(timestamp, appSecret));
  const got = Buffer.from(sign);
  return want.length === got.length && timingSafeEqual(want, got);
}
