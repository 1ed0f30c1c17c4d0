// Makes the ledgers asked for in chat, one at a time, off the request path: a large ledger
// takes seconds, and a chat command must not.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { transaction } from '../../db/client';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import type { Services } from '../services';
import { writeLedger } from './ledger-xlsx';

export function exportFileName(kind: string, year: number, id: number | string): string {
  return `${kind}台账-${year}-${id}.xlsx`;
}

export function createExportWorker(options: { services: Services; dir: string; clock: Clock; log: Logger }) {
  const { services, dir, clock, log } = options;

  async function step(): Promise<boolean> {
    const request = services.exports.next();
    if (!request) return false;
    try {
      mkdirSync(dir, { recursive: true });
      const name = exportFileName(request.kind, request.year, request.id);
      const path = join(dir, name);
      await writeLedger(services.ledgers.sheets(request.kind, request.year, request.unitId), path);
      transaction(services.db, () => services.exports.done(request, { path, name, caption: `${request.year}年${request.kind}台账已生成（${name}）` }));
      log.info({ export: request.id, kind: request.kind, year: request.year }, 'ledger exported');
    } catch (err) {
      log.error({ err, export: request.id }, 'ledger export failed');
      transaction(services.db, () => services.exports.failed(request, (err as Error).message));
    }
    return true;
  }

  return {
    ...createLoop({ name: 'exports', log, clock, idleMs: 2000, step, nextDueAt: () => null }),
    /** Makes every ledger asked for so far (for the REPL and tests, which run no loops). */
    async drain(): Promise<void> {
      while (await step());
    },
  };
}
