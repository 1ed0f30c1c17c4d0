// Ledger exports asked for in chat: queued here in the asking transaction, made by the export
// worker, and sent privately to whoever asked (a ledger is not for a whole group chat).
import { and, eq, sql } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { exportRequests } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { text, type FileReply } from '../lib/reply';
import { unitScope, type Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';
import type { LedgerKind } from './ledgers';
import type { NotifyService } from './notify';

export type ExportRequest = typeof exportRequests.$inferSelect;

export function createExportsService(db: Db, clock: Clock, deps: { audit: AuditService; notify: NotifyService }) {
  /** Ends the request as this claim's outcome, if the claim (its claimed_at) still holds it. */
  async function settle(request: ExportRequest, outcome: { status: 'done'; file: string } | { status: 'failed'; error: string }): Promise<boolean> {
    if (request.claimedAt === null) return false;
    const claimed = and(eq(exportRequests.id, request.id), eq(exportRequests.status, 'working'), eq(exportRequests.claimedAt, request.claimedAt));
    return changedRows(await db.q.update(exportRequests).set({ ...outcome, finishedAt: clock.now() }).where(claimed)) > 0;
  }

  return {
    /** In the asking command's transaction. */
    async request(kind: LedgerKind, year: number, actor: Actor): Promise<ExportRequest> {
      if (actor.personId === null) throw new UserError('只有已登记的人员可以导出台账');
      const [row] = await db.q
        .insert(exportRequests)
        .values({ kind, year, personId: actor.personId, unitId: unitScope(actor), status: 'pending', requestedAt: clock.now() })
        .returning();
      const request = row!;
      await deps.audit.record(actor, '导出', `${kind}台账 ${year}`, null, { request: request.id, unitScope: request.unitId });
      return request;
    },

    /**
     * Claims the oldest request waiting, or one whose claim is older than leaseMs (its instance
     * died while making the file), for this worker alone: instances sharing a database each take
     * a different request. The file is made outside any transaction, in seconds; the claim, not a
     * held row lock, keeps it from the others meanwhile.
     */
    async next(leaseMs: number): Promise<ExportRequest | undefined> {
      const now = clock.now();
      // on PostgreSQL a request another instance is claiming this moment is passed over, not waited
      // for; SQLite's writes, one at a time, need no lock clause
      const waiting = sql`SELECT id FROM ${exportRequests}
        WHERE status = 'pending' OR (status = 'working' AND claimed_at <= ${now - leaseMs})
        ORDER BY id LIMIT 1 ${db.dialect === 'pg' ? sql`FOR UPDATE SKIP LOCKED` : sql``}`;
      const [row] = await db.statement(() => db.q.update(exportRequests).set({ status: 'working', claimedAt: now }).where(sql`${exportRequests.id} = (${waiting})`).returning());
      return row;
    },

    /**
     * Marks it made and queues the file to the person who asked, in the caller's transaction; false,
     * changing nothing, when the claim is no longer this worker's (another took it over).
     */
    async done(request: ExportRequest, file: FileReply): Promise<boolean> {
      if (!(await settle(request, { status: 'done', file: file.path }))) return false;
      await deps.notify.person(request.personId, { file }, `export:${request.id}`);
      return true;
    },

    /** In the caller's transaction. */
    async failed(request: ExportRequest, error: string): Promise<boolean> {
      if (!(await settle(request, { status: 'failed', error }))) return false;
      await deps.notify.person(request.personId, text(`抱歉，${request.year}年${request.kind}台账生成失败，已记录。请稍后再试或联系管理员。`), `export:${request.id}:failed`);
      return true;
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
