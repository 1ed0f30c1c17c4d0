// Makes the ledgers asked for in chat, one at a time, off the request path: a large ledger
// takes seconds, and a chat command must not. Each is made in a child process (ledger-file.ts),
// which this loop only awaits: the bot's event loop stays free while a workbook is written.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import type { Services } from '../services';
import { LEDGER_TIMEOUT_MS, makeLedgerFile } from './ledger-file';

export function exportFileName(kind: string, year: number, id: number | string): string {
  return `${kind}台账-${year}-${id}.xlsx`;
}

/**
 * How long a claimed request stays this worker's: past the ledger child's time limit, after which
 * the worker has settled it either way, so a live worker's claim never runs out; another
 * instance's worker takes over only the request of one that died.
 */
export const EXPORT_LEASE_MS = LEDGER_TIMEOUT_MS + 60_000;

export function createExportWorker(options: { services: Services; dir: string; clock: Clock; log: Logger }) {
  const { services, dir, clock, log } = options;

  async function step(): Promise<boolean> {
    const request = await services.exports.next(EXPORT_LEASE_MS);
    if (!request) return false;
    try {
      const name = exportFileName(request.kind, request.year, request.id);
      const path = join(dir, name);
      // the child reads the bot's own database (on SQLite, WAL lets it read beside the bot's writes)
      const made = await makeLedgerFile({ database: services.db.location, kind: request.kind, year: request.year, unitId: request.unitId, filePath: path });
      const settled = await services.db.tx(() => services.exports.done(request, { path, name, caption: `${request.year}年${request.kind}台账已生成（${name}）` }));
      if (settled) log.info({ export: request.id, kind: request.kind, year: request.year, sheets: made.sheets, peakRssMb: Math.round(made.peakRssMb) }, 'ledger exported');
      else log.warn({ export: request.id }, 'ledger made after another instance took the request over; left to it');
    } catch (err) {
      log.error({ err, export: request.id }, 'ledger export failed');
      await services.db.tx(() => services.exports.failed(request, (err as Error).message));
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
