// Ledger exports asked for in chat: queued here in the asking transaction, made by the export
// worker, and sent privately to whoever asked (a ledger is not for a whole group chat).
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
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

    async next(): Promise<ExportRequest | undefined> {
      const [row] = await db.q.select().from(exportRequests).where(eq(exportRequests.status, 'pending')).orderBy(asc(exportRequests.id)).limit(1);
      return row;
    },

    /** Marks it made and queues the file to the person who asked, in the caller's transaction. */
    async done(request: ExportRequest, file: FileReply): Promise<void> {
      await db.q.update(exportRequests).set({ status: 'done', file: file.path, finishedAt: clock.now() }).where(and(eq(exportRequests.id, request.id), eq(exportRequests.status, 'pending')));
      await deps.notify.person(request.personId, { file }, `export:${request.id}`);
    },

    /** In the caller's transaction. */
    async failed(request: ExportRequest, error: string): Promise<void> {
      await db.q.update(exportRequests).set({ status: 'failed', error, finishedAt: clock.now() }).where(eq(exportRequests.id, request.id));
      await deps.notify.person(request.personId, text(`抱歉，${request.year}年${request.kind}台账生成失败，已记录。请稍后再试或联系管理员。`), `export:${request.id}:failed`);
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
