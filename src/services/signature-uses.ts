// One message per signed timestamp, for platforms whose signature covers the timestamp and not
// the body (DingTalk): a captured (timestamp, sign) pair must not carry a second body. The same
// message again under the same timestamp is a redelivery, and passes (the inbox recognises it).
import { and, eq, lt } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { signatureUses } from '../../db/schema';

export function createSignatureUsesService(db: Db) {
  return {
    /**
     * Records that `signedAt` carried `messageId`; false when it already carried another message.
     * Uses older than `forgetBefore` (outside the signature's window, so refused anyway) are dropped.
     */
    async claim(platform: string, signedAt: number, messageId: string, forgetBefore: number): Promise<boolean> {
      return db.tx(async () => {
        await db.q.delete(signatureUses).where(and(eq(signatureUses.platform, platform), lt(signatureUses.signedAt, forgetBefore)));
        const added = changedRows(await db.q.insert(signatureUses).values({ platform, signedAt, messageId }).onConflictDoNothing()) > 0;
        if (added) return true;
        const [held] = await db.q
          .select({ messageId: signatureUses.messageId })
          .from(signatureUses)
          .where(and(eq(signatureUses.platform, platform), eq(signatureUses.signedAt, signedAt)))
          .limit(1);
        return held?.messageId === messageId;
      });
    },
  };
}

export type SignatureUsesService = ReturnType<typeof createSignatureUsesService>;
