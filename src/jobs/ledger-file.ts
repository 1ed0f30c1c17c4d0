// The one way a ledger file is made — for the export worker, the web console and `npm run
// export` — in a short-lived child process of its own (ledger-process.ts). A year of 督办 is
// 100,000 rows: the rows and the workbook's XML take some 300 MB, which a long-lived process
// keeps as RSS after it is done, and writing them is seconds of synchronous work, which in the
// bot would stall every webhook acknowledgement (Lark allows 3 s) until it ended.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { LedgerKind } from '../services/ledgers';

export interface LedgerJob {
  /** what openDatabase opens: the bot's SQLite file or its postgres:// URL (db.location) */
  database: string;
  kind: LedgerKind;
  year: number;
  /** a unit contact's ledger holds their unit's items only; null for all */
  unitId: number | null;
  filePath: string;
}

export interface LedgerMade {
  sheets: { name: string; rows: number }[];
  /** the child's peak RSS, as the kernel counts it: what making the file needed */
  peakRssMb: number;
  /** the database opened and the rows read */
  queryMs: number;
  /** the workbook written */
  writeMs: number;
}

/** What the child sends back before it exits. */
export type LedgerMessage = LedgerMade | { error: string };

/**
 * Where the child finds its job. Not in argv: a PostgreSQL URL may hold a password, and any user
 * of the machine can list a process's arguments; its environment only the same user can read.
 */
export const LEDGER_JOB_ENV = 'ZWBOT_LEDGER_JOB';

/** Longer than any year's ledger takes, short enough that a hung child cannot hold the export queue for long. */
export const LEDGER_TIMEOUT_MS = 120_000;

/**
 * The workbook is millions of short-lived strings: with V8's default young generation (16 MB
 * semi-spaces) and heap growth, the child peaked at 470 MB for 100,000 rows; with these, at
 * 320–330 MB, in the same time.
 */
const MEMORY_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'];

// From the sources (tests, the tsx command-line tools) the child is the TypeScript file under
// tsx's loader, named by its path so that it resolves from any working directory; from the
// bundle, where this module is dist/main.mjs or a chunk beside it, it is the bundled entry
// beside it (scripts/bundle.ts adds it to every bundle), run by plain node as the bot is.
const fromSources = import.meta.url.endsWith('.ts');
const script = new URL(fromSources ? './ledger-process.ts' : './ledger-process.mjs', import.meta.url);
const execArgv = [...(fromSources ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : ['--enable-source-maps']), ...MEMORY_FLAGS];

/** Makes the ledger's workbook at job.filePath in a child process; rejects with the child's error, or when it takes longer than timeoutMs (it is killed). */
export function makeLedgerFile(job: LedgerJob, timeoutMs = LEDGER_TIMEOUT_MS): Promise<LedgerMade> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { execArgv, env: { ...process.env, [LEDGER_JOB_ENV]: JSON.stringify(job) } });
    let message: LedgerMessage | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m) => (message = m as LedgerMessage));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && message && !('error' in message)) resolve(message);
      else if (timedOut) reject(new Error(`ledger not made within ${timeoutMs / 1000} s; its process was killed`));
      else reject(new Error(message && 'error' in message ? message.error : `ledger process ended by ${signal ?? `exit code ${code}`}`));
    });
  });
}
