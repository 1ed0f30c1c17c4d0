// Lark's request signature and body encryption (Feishu's open-platform documentation).
import { createHash, timingSafeEqual } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';

/** hex(sha256(timestamp + nonce + encryptKey + rawBody)), over the exact bytes received. */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(rawBody).digest('hex');
}

export function signatureMatches(given: string | undefined, timestamp: string | undefined, nonce: string | undefined, encryptKey: string, rawBody: Buffer): boolean {
  if (!given || timestamp === undefined || nonce === undefined) return false;
  const want = Buffer.from(larkSignature(timestamp, nonce, encryptKey, rawBody));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** AES-256-CBC with the key's SHA-256 and a per-message IV; null when it does not decrypt to JSON. */
export function decryptBody(encryptKey: string, encrypted: string): unknown {
  try {
    return JSON.parse(new lark.AESCipher(encryptKey).decrypt(encrypted));
  } catch {
    return null;
  }
}
