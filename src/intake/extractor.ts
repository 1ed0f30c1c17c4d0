// Reading a received PDF, OFD or DOCX into pages of text lines, off the bot's event loop: parsing
// a 20-page PDF is a second of synchronous work, and a crafted file can loop or exhaust memory.
// The work runs in a small pool of child processes (extract-process.ts), started on first use and
// kept warm while files keep coming (pdf.js alone takes a good part of a second to load), each
// request under a time limit. The bytes travel over IPC only: a 涉密 file must leave nothing on disk.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { sniff, type Detected, type FileFormat } from './sniff';

export type { FileFormat } from './sniff';

export type Extracted =
  | { ok: true; format: FileFormat; /** text lines per page, top to bottom, in reading order */ pages: string[][]; pageCount: number }
  /** told by the bytes, never by the name */
  | { ok: false; reason: 'unsupported'; detected: Detected }
  /** pages but no text on any, e.g. a scan */
  | { ok: false; reason: 'no-text'; format: FileFormat; pageCount: number }
  /** the parser failed or the file is corrupt (no text of the file in any message) */
  | { ok: false; reason: 'broken'; format: FileFormat | null }
  | { ok: false; reason: 'timeout' };

export interface ExtractorOptions {
  /** per file, from when a process takes it (a cold process's start included); default 15000 */
  timeoutMs?: number;
  /** processes at most; default 2 */
  processes?: number;
  /** a warm process exits after this long unused; default 60000 */
  idleMs?: number;
  /**
   * The child's script, instead of the one beside this module: a bundled extract-process.mjs
   * (run by plain node) or the TypeScript source (under tsx's loader), told by its extension.
   * The tests pass a bundle built once per run: tsx makes each start seconds slower.
   */
  childScript?: URL;
}

export interface Extractor {
  extract(bytes: Uint8Array): Promise<Extracted>;
  /** Kills the processes; a file still waiting or being read rejects. */
  close(): Promise<void>;
}

/** What the child is sent. */
export interface ExtractRequest {
  id: number;
  format: FileFormat;
  bytes: Uint8Array;
}
/** What the child answers. */
export interface ExtractReply {
  id: number;
  result: Extracted;
}

/** Set to '1' by the tests only: the child then hangs on a PDF beginning '%PDF-1.7\n%hang', and crashes on one beginning '%PDF-1.7\n%crash'. */
export const TEST_FAULTS_ENV = 'ZWBOT_INTAKE_TEST_FAULTS';

// A parser's heap beyond this is a hostile or pathological file, not a document: the child dies
// of it (its request is 'broken') long before the machine feels it.
const MEMORY_FLAGS = ['--max-old-space-size=512'];

// From the sources (tests, the tsx command-line tools) the child is the TypeScript file under
// tsx's loader; from the bundle, where this module is dist/main.mjs or a chunk beside it, it is
// the bundled entry beside it (scripts/bundle.ts adds it to every bundle), run by plain node.
const fromSources = import.meta.url.endsWith('.ts');
const besideThis = new URL(fromSources ? './extract-process.ts' : './extract-process.mjs', import.meta.url);
// tsx looked up only for a TypeScript child: a bundle's node_modules need not hold it
const execArgvFor = (script: URL) => [...(script.pathname.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : ['--enable-source-maps']), ...MEMORY_FLAGS];

/** How long a process may take to load its parsers: seconds from the bundle, more under tsx on a busy machine. */
const START_LIMIT_MS = 60_000;

interface Job {
  format: FileFormat;
  bytes: Uint8Array;
  resolve(result: Extracted): void;
  reject(err: Error): void;
}

interface Worker {
  child: ChildProcess;
  exited: Promise<void>;
  /** its parsers loaded and listening: a message sent before would be lost */
  ready: boolean;
  startTimer: NodeJS.Timeout;
  running?: Job & { id: number; timer: NodeJS.Timeout };
  idleTimer?: NodeJS.Timeout;
}

export function createExtractor(options: ExtractorOptions = {}): Extractor {
  const { timeoutMs = 15_000, processes = 2, idleMs = 60_000, childScript: script = besideThis } = options;
  const execArgv = execArgvFor(script);
  /** the pool: processes starting, busy or idle */
  const workers = new Set<Worker>();
  /** every process until it is gone, those already out of the pool included: close() waits for them all */
  const alive = new Set<Worker>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  function finish(worker: Worker, result: Extracted): void {
    const job = worker.running;
    if (!job) return;
    worker.running = undefined;
    clearTimeout(job.timer);
    job.resolve(result);
  }

  /** Out of the pool at once, so that the next file starts a fresh process. */
  function retire(worker: Worker, signal: NodeJS.Signals): void {
    workers.delete(worker);
    clearTimeout(worker.idleTimer);
    clearTimeout(worker.startTimer);
    worker.child.kill(signal);
  }

  // a process waiting for work must not keep the bot (or a test) from exiting
  function hold(worker: Worker, busy: boolean): void {
    if (busy) {
      worker.child.ref();
      worker.child.channel?.ref();
    } else {
      worker.child.unref();
      worker.child.channel?.unref();
    }
  }

  function idle(worker: Worker): void {
    hold(worker, false);
    worker.idleTimer = setTimeout(() => retire(worker, 'SIGTERM'), idleMs).unref();
    pump();
  }

  function spawn(): void {
    const child = fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const worker: Worker = {
      child,
      ready: false,
      startTimer: setTimeout(() => child.kill('SIGKILL'), START_LIMIT_MS),
      exited: new Promise((resolve) => {
        const gone = () => {
          alive.delete(worker);
          resolve();
        };
        child.once('close', gone);
        // 'error' alone when the process could not be started at all
        child.once('error', gone);
      }),
    };
    child.on('message', (message: ExtractReply | { ready: true }) => {
      if ('ready' in message) {
        worker.ready = true;
        clearTimeout(worker.startTimer);
        idle(worker);
      } else if (worker.running?.id === message.id) {
        finish(worker, message.result);
        idle(worker);
      }
    });
    const lost = () => {
      if (!workers.has(worker) && !worker.running) return;
      workers.delete(worker);
      clearTimeout(worker.idleTimer);
      clearTimeout(worker.startTimer);
      // a file that kills its process (its heap exhausted, a parser's crash) is a broken file; a
      // process that cannot even start is the machine's fault, told to the oldest waiting file
      if (worker.running) finish(worker, { ok: false, reason: 'broken', format: worker.running.format });
      else if (!worker.ready && !closed) queue.shift()?.reject(new Error('the extraction process could not start'));
      pump();
    };
    child.once('exit', lost);
    child.once('error', lost);
    workers.add(worker);
    alive.add(worker);
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const worker = [...workers].find((w) => w.ready && !w.running);
      if (!worker) {
        // one process starting for each file waiting, as far as the pool goes
        for (let starting = [...workers].filter((w) => !w.ready).length; workers.size < processes && starting < queue.length; starting++) spawn();
        return;
      }
      const job = queue.shift()!;
      clearTimeout(worker.idleTimer);
      hold(worker, true);
      const id = nextId++;
      const timer = setTimeout(() => {
        finish(worker, { ok: false, reason: 'timeout' });
        retire(worker, 'SIGKILL');
        pump();
      }, timeoutMs);
      worker.running = { ...job, id, timer };
      // a send that fails means the process is gone: its 'exit' answers the request
      worker.child.send({ id, format: job.format, bytes: job.bytes } satisfies ExtractRequest, (err) => err && worker.child.kill('SIGKILL'));
    }
  }

  return {
    extract(bytes) {
      if (closed) return Promise.reject(new Error('extractor closed'));
      const format = sniff(bytes);
      if (typeof format !== 'string') return Promise.resolve({ ok: false, reason: 'unsupported', detected: format.detected });
      return new Promise((resolve, reject) => {
        queue.push({ format, bytes, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const stopped = new Error('extractor closed');
      for (const job of queue.splice(0)) job.reject(stopped);
      const exits = [...alive].map((worker) => {
        if (worker.running) {
          clearTimeout(worker.running.timer);
          worker.running.reject(stopped);
          worker.running = undefined;
        }
        // held again, or the bot could exit before seeing the end it waits for
        hold(worker, true);
        retire(worker, 'SIGKILL');
        return worker.exited;
      });
      await Promise.all(exits);
    },
  };
}
