// Sign-in to the web console without passwords: the bot hands a person a signed, single-use link
// valid ten minutes; opening it starts a session. Only hashes of session ids are stored.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { consoleLinks, consoleSessions, meta } from '../../db/schema';
import type { Clock } from '../lib/clock';

export const LINK_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 8 * 3_600_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function createConsoleAuthService(db: Db, clock: Clock) {
  const storedSecret = async () => (await db.q.select().from(meta).where(eq(meta.key, 'console_secret')).limit(1))[0]?.value;

  // generated once per installation, so links cannot be forged even by someone who reads code
  async function secret(): Promise<string> {
    const existing = await storedSecret();
    if (existing) return existing;
    // two processes may get here at once: the first to commit wins, and both read its value
    return db.tx(async () => {
      await db.q.insert(meta).values({ key: 'console_secret', value: randomBytes(32).toString('hex') }).onConflictDoNothing();
      return (await storedSecret())!;
    });
  }

  const sign = async (nonce: string, personId: number, expiresAt: number) => createHmac('sha256', await secret()).update(`${nonce}.${personId}.${expiresAt}`).digest('base64url');

  return {
    /** A link token for a person: nonce.personId.expiry.signature. In the asking command's transaction. */
    async issueLink(personId: number): Promise<string> {
      const nonce = randomBytes(16).toString('base64url');
      const expiresAt = clock.now() + LINK_TTL_MS;
      await db.q.insert(consoleLinks).values({ nonce, personId, expiresAt });
      return `${nonce}.${personId}.${expiresAt}.${await sign(nonce, personId, expiresAt)}`;
    },

    /** Spends a link; the person it was made for, or why not. */
    async redeem(token: string): Promise<{ personId: number } | { refused: 'invalid' | 'expired' | 'used' }> {
      const [nonce, personText, expiresText, signature] = token.split('.');
      if (!nonce || !personText || !expiresText || !signature) return { refused: 'invalid' };
      const want = Buffer.from(await sign(nonce, Number(personText), Number(expiresText)));
      const got = Buffer.from(signature);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return { refused: 'invalid' };
      const [link] = await db.q.select().from(consoleLinks).where(eq(consoleLinks.nonce, nonce)).limit(1);
      if (!link || link.personId !== Number(personText)) return { refused: 'invalid' };
      if (link.usedAt !== null) return { refused: 'used' };
      if (clock.now() > link.expiresAt) return { refused: 'expired' };
      const spent = await db.tx(async () => changedRows(await db.q.update(consoleLinks).set({ usedAt: clock.now() }).where(and(eq(consoleLinks.nonce, nonce), isNull(consoleLinks.usedAt)))));
      return spent === 1 ? { personId: link.personId } : { refused: 'used' };
    },

    /** A new session: the cookie value and the CSRF token its forms carry. */
    async startSession(personId: number): Promise<{ id: string; csrf: string }> {
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      const now = clock.now();
      await db.tx(async () => {
        await db.q.delete(consoleSessions).where(lt(consoleSessions.expiresAt, now));
        await db.q.insert(consoleSessions).values({ idHash: sha256(id), personId, csrf, createdAt: now, expiresAt: now + SESSION_TTL_MS });
      });
      return { id, csrf };
    },

    async session(id: string | undefined): Promise<{ personId: number; csrf: string } | null> {
      if (!id) return null;
      const [row] = await db.q
        .select()
        .from(consoleSessions)
        .where(and(eq(consoleSessions.idHash, sha256(id)), gt(consoleSessions.expiresAt, clock.now())))
        .limit(1);
      return row ? { personId: row.personId, csrf: row.csrf } : null;
    },

    async endSession(id: string): Promise<void> {
      await db.tx(async () => {
        await db.q.delete(consoleSessions).where(eq(consoleSessions.idHash, sha256(id)));
      });
    },
  };
}

export type ConsoleAuthService = ReturnType<typeof createConsoleAuthService>;
