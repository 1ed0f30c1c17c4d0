// Sign-in to the web console without passwords: the bot hands a person a signed, single-use link
// valid ten minutes; opening it starts a session. Only hashes of session ids are stored.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { consoleLinks, consoleSessions, meta } from '../../db/schema';
import type { Clock } from '../lib/clock';

export const LINK_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 8 * 3_600_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function createConsoleAuthService(db: Db, clock: Clock) {
  // generated once per installation, so links cannot be forged even by someone who reads code
  function secret(): string {
    const existing = db.select().from(meta).where(eq(meta.key, 'console_secret')).get();
    if (existing) return existing.value;
    const value = randomBytes(32).toString('hex');
    db.insert(meta).values({ key: 'console_secret', value }).onConflictDoNothing().run();
    return db.select().from(meta).where(eq(meta.key, 'console_secret')).get()!.value;
  }

  const sign = (nonce: string, personId: number, expiresAt: number) => createHmac('sha256', secret()).update(`${nonce}.${personId}.${expiresAt}`).digest('base64url');

  return {
    /** A link token for a person: nonce.personId.expiry.signature */
    issueLink(personId: number): string {
      const nonce = randomBytes(16).toString('base64url');
      const expiresAt = clock.now() + LINK_TTL_MS;
      db.insert(consoleLinks).values({ nonce, personId, expiresAt }).run();
      return `${nonce}.${personId}.${expiresAt}.${sign(nonce, personId, expiresAt)}`;
    },

    /** Spends a link; the person it was made for, or why not. */
    redeem(token: string): { personId: number } | { refused: 'invalid' | 'expired' | 'used' } {
      const [nonce, personText, expiresText, signature] = token.split('.');
      if (!nonce || !personText || !expiresText || !signature) return { refused: 'invalid' };
      const want = Buffer.from(sign(nonce, Number(personText), Number(expiresText)));
      const got = Buffer.from(signature);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return { refused: 'invalid' };
      const link = db.select().from(consoleLinks).where(eq(consoleLinks.nonce, nonce)).get();
      if (!link || link.personId !== Number(personText)) return { refused: 'invalid' };
      if (link.usedAt !== null) return { refused: 'used' };
      if (clock.now() > link.expiresAt) return { refused: 'expired' };
      const spent = db.update(consoleLinks).set({ usedAt: clock.now() }).where(and(eq(consoleLinks.nonce, nonce), isNull(consoleLinks.usedAt))).run();
      return spent.changes === 1 ? { personId: link.personId } : { refused: 'used' };
    },

    /** A new session: the cookie value and the CSRF token its forms carry. */
    startSession(personId: number): { id: string; csrf: string } {
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      const now = clock.now();
      db.delete(consoleSessions).where(lt(consoleSessions.expiresAt, now)).run();
      db.insert(consoleSessions).values({ idHash: sha256(id), personId, csrf, createdAt: now, expiresAt: now + SESSION_TTL_MS }).run();
      return { id, csrf };
    },

    session(id: string | undefined): { personId: number; csrf: string } | null {
      if (!id) return null;
      const row = db.select().from(consoleSessions).where(and(eq(consoleSessions.idHash, sha256(id)), gt(consoleSessions.expiresAt, clock.now()))).get();
      return row ? { personId: row.personId, csrf: row.csrf } : null;
    },

    endSession(id: string): void {
      db.delete(consoleSessions).where(eq(consoleSessions.idHash, sha256(id))).run();
    },
  };
}

export type ConsoleAuthService = ReturnType<typeof createConsoleAuthService>;
