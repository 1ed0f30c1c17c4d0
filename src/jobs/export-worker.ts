// Makes the ledgers asked for in chat, one at a time, off the request path: a large ledger
// takes seconds, and a chat command must not. Each is made in a child process (ledger-file.ts),
// which this loop only awaits: the bot's event loop stays free while a workbook is written.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import { createLoop } from '../lib/loop';
import type { Services } from '../services';
import { makeLedgerFile } from './ledger-file';

export function exportFileName(kind: string, year: number, id: number | string): string {
  return `${kind}台账-${year}-${id}.xlsx`;
}

export function createExportWorker(options: { services: Services; dir: string; clock: Clock; log: Logger }) {
  const { services, dir, clock, log } = options;

  async function step(): Promise<boolean> {
    const request = await services.exports.next();
    if (!request) return false;
    try {
      const name = exportFileName(request.kind, request.year, request.id);
      const path = join(dir, name);
      // the child reads the bot's own database (on SQLite, WAL lets it read beside the bot's writes)
      const made = await makeLedgerFile({ database: services.db.location, kind: request.kind, year: request.year, unitId: request.unitId, filePath: path });
      await services.db.tx(() => services.exports.done(request, { path, name, caption: `${request.year}年${request.kind}台账已生成（${name}）` }));
      log.info({ export: request.id, kind: request.kind, year: request.year, sheets: made.sheets, peakRssMb: Math.round(made.peakRssMb) }, 'ledger exported');
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
