// Files sent to the bot. A request is stored in the transaction that handles the message; the
// bytes are fetched and read later, outside any transaction (engine/intake.ts), and the outcome
// recorded here: a 收文登记 draft, proof with a 督办反馈, a refusal, or — for a 涉密 file —
// nothing at all. What is kept of a file is its name, size, page count and SHA-256.
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { documents, receivedFiles, supervisionFeedback } from '../../db/schema';
import type { Clock } from '../lib/clock';
import type { DeliveryTarget } from '../lib/delivery';
import type { Reply } from '../lib/reply';
import type { Actor } from './actor';
import { UserError } from './errors';
import type { InboxService } from './inbox';
import type { OutboxService } from './outbox';

export type ReceivedFile = typeof receivedFiles.$inferSelect;
export type FilePurpose = ReceivedFile['purpose'];

/** A file as it is shown with what it came with: never its text. */
export interface FileRecord {
  id: number;
  name: string;
  size: number | null;
  pages: number | null;
  format: string | null;
  sha256: string | null;
  /** a copy is kept (INTAKE_KEEP_DIR): the console serves it to those who may see the item */
  kept: boolean;
}

/** How long after a 督办反馈 a file or photo from the same person is taken as its proof. */
export const PROOF_WINDOW_MS = 10 * 60_000;

/** How long a file never registered is remembered (a draft not confirmed, a refusal): long enough to recognise it sent again. */
export const FORGET_AFTER_MS = 90 * 86_400_000;

/** The 收文登记 field naming the file a draft was read from (F12): the registration records the file with the document. */
export const FILE_REF = /^F(\d{1,12})$/;
export const fileRef = (id: number) => `F${id}`;

const record = (f: ReceivedFile): FileRecord => ({ id: f.id, name: f.name, size: f.size, pages: f.pages, format: f.format, sha256: f.sha256, kept: f.keptPath !== null });

export function createIntakeService(db: Db, clock: Clock, deps: { inbox: InboxService; outbox: OutboxService; onRequest?: (() => void) | undefined }) {
  /** Settles the claim as this outcome, if it still holds the row (its claimed_at); false when another instance took it over. */
  async function settle(claim: ReceivedFile, set: Partial<ReceivedFile>): Promise<boolean> {
    if (claim.claimedAt === null) return false;
    const held = and(eq(receivedFiles.id, claim.id), eq(receivedFiles.status, 'working'), eq(receivedFiles.claimedAt, claim.claimedAt));
    return changedRows(await db.q.update(receivedFiles).set({ ...set, handle: null, replyTo: null, settledAt: clock.now() }).where(held)) > 0;
  }

  async function answer(claim: ReceivedFile, replies: Reply[]): Promise<void> {
    for (const [i, reply] of replies.entries()) {
      await deps.outbox.enqueue({ dedupeKey: `intake:${claim.id}:${i}`, platform: claim.platform, target: claim.replyTo as unknown as DeliveryTarget, reply });
    }
  }

  return {
    /** A file to fetch and read, from a message being handled: in its transaction. */
    async request(input: { purpose: FilePurpose; platform: string; eventId: string; handle: Record<string, string>; name: string; replyTo: DeliveryTarget; actor: Actor; feedbackId?: number }): Promise<void> {
      await db.q.insert(receivedFiles).values({
        purpose: input.purpose,
        status: 'pending',
        platform: input.platform,
        handle: input.handle,
        replyTo: input.replyTo as unknown as Record<string, unknown>,
        eventId: input.eventId,
        personId: input.actor.personId,
        name: input.name,
        feedbackId: input.feedbackId ?? null,
        receivedAt: clock.now(),
      });
      if (deps.onRequest) db.afterCommit(deps.onRequest);
    },

    /**
     * Claims the oldest file waiting on one of `platforms` (those this process can download from),
     * or one whose claim is older than leaseMs (its instance died reading it).
     */
    async next(leaseMs: number, platforms: readonly string[]): Promise<ReceivedFile | undefined> {
      if (platforms.length === 0) return undefined;
      const now = clock.now();
      const waiting = sql`SELECT id FROM ${receivedFiles}
        WHERE platform IN (${sql.join(platforms.map((p) => sql`${p}`), sql`, `)})
          AND (status = 'pending' OR (status = 'working' AND claimed_at <= ${now - leaseMs}))
        ORDER BY id LIMIT 1 ${db.dialect === 'pg' ? sql`FOR UPDATE SKIP LOCKED` : sql``}`;
      const [row] = await db.statement(() => db.q.update(receivedFiles).set({ status: 'working', claimedAt: now }).where(sql`${receivedFiles.id} = (${waiting})`).returning());
      return row;
    },

    /** When a file may next be due (a claim running out), for the reader's loop. */
    async nextDueAt(leaseMs: number, platforms: readonly string[]): Promise<number | null> {
      if (platforms.length === 0) return null;
      const [row] = await db.q
        .select({ at: sql<number>`min(CASE WHEN ${receivedFiles.status} = 'pending' THEN 0 ELSE ${receivedFiles.claimedAt} + ${leaseMs} END)` })
        .from(receivedFiles)
        .where(and(inArray(receivedFiles.status, ['pending', 'working']), inArray(receivedFiles.platform, [...platforms])));
      return row?.at == null ? null : Number(row.at);
    },

    /** The document a file with these bytes was registered as, if any. */
    async registeredAs(sha256: string): Promise<{ regNo: string } | undefined> {
      const [row] = await db.q
        .select({ regNo: documents.regNo })
        .from(receivedFiles)
        .innerJoin(documents, eq(documents.id, receivedFiles.documentId))
        .where(and(eq(receivedFiles.sha256, sha256), eq(receivedFiles.status, 'registered')))
        .limit(1);
      return row;
    },

    /** When the same bytes were last read into a draft not yet registered. */
    async draftedBefore(sha256: string, except: number): Promise<number | null> {
      const [row] = await db.q
        .select({ at: receivedFiles.receivedAt, id: receivedFiles.id })
        .from(receivedFiles)
        .where(and(eq(receivedFiles.sha256, sha256), eq(receivedFiles.status, 'draft')))
        .orderBy(desc(receivedFiles.id))
        .limit(2);
      return row && row.id !== except ? row.at : null;
    },

    /** Read into a draft: recorded (never its text) and the draft sent. In the caller's transaction; false when the claim was lost. */
    async drafted(claim: ReceivedFile, file: { name: string; size: number; pages: number; format: string; sha256: string; keptPath: string | null }, replies: Reply[]): Promise<boolean> {
      if (!(await settle(claim, { status: 'draft', ...file }))) return false;
      await answer(claim, replies);
      return true;
    },

    /** Recorded as proof of its 督办反馈. In the caller's transaction. */
    async attached(claim: ReceivedFile, file: { name: string; size: number; pages: number | null; format: string | null; sha256: string; keptPath: string | null }, replies: Reply[]): Promise<boolean> {
      if (!(await settle(claim, { status: 'attached', ...file }))) return false;
      await answer(claim, replies);
      return true;
    },

    /** Not taken (not readable, too large, already registered): kept as its name and why. In the caller's transaction. */
    async refused(claim: ReceivedFile, why: string, replies: Reply[], file: { name?: string; size?: number; sha256?: string } = {}): Promise<boolean> {
      if (!(await settle(claim, { status: 'refused', refusal: why, ...file }))) return false;
      await answer(claim, replies);
      return true;
    },

    /**
     * A 涉密 file: nothing of it stays — its row goes, and so does the content of the message it
     * came in (its name with it); only the answer is sent. In the caller's transaction.
     */
    async secret(claim: ReceivedFile, replies: Reply[]): Promise<boolean> {
      if (claim.claimedAt === null) return false;
      const held = and(eq(receivedFiles.id, claim.id), eq(receivedFiles.status, 'working'), eq(receivedFiles.claimedAt, claim.claimedAt));
      if (changedRows(await db.q.delete(receivedFiles).where(held)) === 0) return false;
      const row = await deps.inbox.find(claim.platform, claim.eventId);
      if (row) await deps.inbox.forgetContent(row.id);
      await answer(claim, replies);
      return true;
    },

    /**
     * 收文登记 with 文件=F12: the draft's file recorded with the document just registered. Refused
     * when it names no draft, or one already registered. In the registering transaction.
     */
    async registered(ref: string, documentId: number, actor: Actor): Promise<FileRecord> {
      const id = Number(FILE_REF.exec(ref)?.[1]);
      const [file] = await db.q.select().from(receivedFiles).where(and(eq(receivedFiles.id, id), eq(receivedFiles.purpose, 'document'))).limit(1);
      // a draft is its sender's to register (or an admin's): a number typed is not a way to take another's file
      const theirs = file && (actor.role === 'admin' || (actor.personId !== null && file.personId === actor.personId));
      if (!file || !theirs || !['draft', 'registered'].includes(file.status)) throw new UserError(`「文件」${ref} 不是机器人读取过的收文文件。请重新发送文件，或去掉「文件」字段后登记，例如：收文登记 标题=… 来文单位=…`);
      if (file.status === 'registered') {
        const [doc] = await db.q.select({ regNo: documents.regNo }).from(documents).where(eq(documents.id, file.documentId!)).limit(1);
        throw new UserError(`文件《${file.name}》已登记为 ${doc?.regNo ?? '另一份收文'}，请勿重复登记。发送「公文查询 ${doc?.regNo ?? ''}」查看。`);
      }
      const linked = await db.q
        .update(receivedFiles)
        .set({ status: 'registered', documentId })
        .where(and(eq(receivedFiles.id, id), eq(receivedFiles.status, 'draft')))
        .returning();
      if (!linked[0]) throw new UserError(`文件 ${ref} 正在被另一次登记使用，请稍后发送「公文查询」查看。`);
      return record(linked[0]);
    },

    /** The files a document was registered from. */
    async ofDocument(documentId: number): Promise<FileRecord[]> {
      return (await db.q.select().from(receivedFiles).where(and(eq(receivedFiles.documentId, documentId), eq(receivedFiles.status, 'registered'))).orderBy(receivedFiles.id)).map(record);
    },

    /** The proof sent with each of these feedback entries. */
    async ofFeedback(feedbackIds: number[]): Promise<Map<number, FileRecord[]>> {
      const out = new Map<number, FileRecord[]>();
      if (feedbackIds.length === 0) return out;
      const rows = await db.q
        .select()
        .from(receivedFiles)
        .where(and(inArray(receivedFiles.feedbackId, feedbackIds), eq(receivedFiles.status, 'attached')))
        .orderBy(receivedFiles.id);
      for (const r of rows) out.set(r.feedbackId!, [...(out.get(r.feedbackId!) ?? []), record(r)]);
      return out;
    },

    /** Where a file's kept copy lies, for the console, which has checked that the viewer may see the item the file belongs to. */
    async keptPath(fileId: number): Promise<{ path: string; name: string } | null> {
      const [row] = await db.q.select({ path: receivedFiles.keptPath, name: receivedFiles.name }).from(receivedFiles).where(eq(receivedFiles.id, fileId)).limit(1);
      return row?.path ? { path: row.path, name: row.name } : null;
    },

    /** Drops what stays of files never registered (drafts not confirmed, refusals) after FORGET_AFTER_MS. */
    async purge(): Promise<number> {
      return db.tx(async () =>
        changedRows(await db.q.delete(receivedFiles).where(and(inArray(receivedFiles.status, ['draft', 'refused']), lt(receivedFiles.receivedAt, clock.now() - FORGET_AFTER_MS)))),
      );
    },

    /** The 督办反馈 this person gave in the last PROOF_WINDOW_MS, if any: a file or photo they send now is its proof. */
    async awaitingProof(actor: Actor): Promise<{ feedbackId: number } | null> {
      if (actor.personId === null) return null;
      const [row] = await db.q
        .select({ id: supervisionFeedback.id, at: supervisionFeedback.at })
        .from(supervisionFeedback)
        .where(eq(supervisionFeedback.personId, actor.personId))
        .orderBy(desc(supervisionFeedback.at), desc(supervisionFeedback.id))
        .limit(1);
      return row && row.at >= clock.now() - PROOF_WINDOW_MS ? { feedbackId: row.id } : null;
    },
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
