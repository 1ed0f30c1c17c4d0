import { describe, expect, it } from 'vitest';
import { nestingDeeperThan } from '../../src/lib/webhook-json';
import { decryptBody, larkSignature, signatureMatches } from '../../src/platforms/lark/crypto';
import { encrypt } from '../fixtures/lark';

// vectors from Feishu's open-platform documentation, computed independently of this code
const KEY = 'my-encrypt-key';
const ENCRYPTED = 'AAAAAAAAAAAAAAAAAAAAAHfM0TArcOmxQrjfCJSGc8RZbc4V30weKSm844tEQyvDjjVsCLt0z+4ODp/pd8sz++k/XVRo9ySD3s/6KkDz/IA=';
const BODY = `{"encrypt":"${ENCRYPTED}"}`;

describe('Lark crypto', () => {
  it('decrypts the reference vector', () => {
    expect(decryptBody(KEY, ENCRYPTED)).toEqual({ challenge: 'c1', token: 'vt', type: 'url_verification' });
  });

  it('signs the reference vector over the raw body', () => {
    expect(larkSignature('1700000000', 'abc', KEY, BODY)).toBe('e0cfa84e17074fc707bf17d4ef09633e74060acdd28b57f1c1184622c53a78fb');
    expect(signatureMatches('e0cfa84e17074fc707bf17d4ef09633e74060acdd28b57f1c1184622c53a78fb', '1700000000', 'abc', KEY, Buffer.from(BODY))).toBe(true);
    // the same JSON with a space added is another body, and fails
    expect(signatureMatches('e0cfa84e17074fc707bf17d4ef09633e74060acdd28b57f1c1184622c53a78fb', '1700000000', 'abc', KEY, Buffer.from(BODY.replace(':', ': ')))).toBe(false);
    expect(signatureMatches(undefined, '1700000000', 'abc', KEY, Buffer.from(BODY))).toBe(false);
  });

  it('round-trips the test fixture and refuses garbage', () => {
    expect(decryptBody('k', encrypt('k', '{"a":1}'))).toEqual({ a: 1 });
    expect(decryptBody('other', encrypt('k', '{"a":1}'))).toBeNull();
    expect(decryptBody('k', 'not base64 at all')).toBeNull();
  });
});

describe('nesting bound', () => {
  it('counts brackets outside strings only, escaped quotes included', () => {
    expect(nestingDeeperThan(Buffer.from(JSON.stringify({ text: `${'['.repeat(100)}\\"${'{'.repeat(100)}` })), 64)).toBe(false);
    expect(nestingDeeperThan(Buffer.from(`${'['.repeat(65)}${']'.repeat(65)}`), 64)).toBe(true);
    expect(nestingDeeperThan(Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toBe(false);
  });
});
