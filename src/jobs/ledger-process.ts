// The child process that makes one ledger file, started by makeLedgerFile (ledger-file.ts) with
// the job as JSON in its environment: it reads the rows from the database (the bot's SQLite file
// or its PostgreSQL), writes the workbook, sends back what it made and how much memory that took,
// and exits, giving all of it back. It loads the database, the ledgers service and the writer,
// nothing else of the bot.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../../db/client';
import { peakRssMb } from '../lib/peak-rss';
import { createLedgersService } from '../services/ledgers';
import { LEDGER_JOB_ENV, type LedgerJob, type LedgerMessage } from './ledger-file';
import { writeLedger } from './ledger-xlsx';

const reply = (message: LedgerMessage, code: number) => process.send!(message, () => process.exit(code));

try {
  const job = JSON.parse(process.env[LEDGER_JOB_ENV]!) as LedgerJob;
  const started = performance.now();
  const db = await openDatabase(job.database);
  const sheets = await createLedgersService(db).sheets(job.kind, job.year, job.unitId);
  await db.close();
  const queried = performance.now();
  const counts = sheets.map((s) => ({ name: s.name, rows: s.rows.length }));
  mkdirSync(dirname(job.filePath), { recursive: true });
  // handed over: not held here while the workbook is zipped, when the export needs the most memory
  await writeLedger(sheets.splice(0), job.filePath);
  reply({ sheets: counts, peakRssMb: peakRssMb(), queryMs: queried - started, writeMs: performance.now() - queried }, 0);
} catch (err) {
  reply({ error: (err as Error).message }, 1);
}
