// Issue 21's figures: reading a 20-page PDF, OFD and DOCX p99 ≤ 1 s each through the extractor the
// bot uses (warm child processes), and /healthz p99 ≤ 50 ms while 4 files are read at once. The bot
// runs in a process of its own as `npm start` runs it (intake-bot.ts, bundled; its extractor's
// children the bundled extract-process.mjs under plain node), and /healthz is asked from here, so
// the client's work is not the server's. The floor of a read is the same file read in the bot's
// process by the format's reader alone (no child, no IPC); the floor of /healthz is its p99 with
// nothing being read. The cold first read (a process started, its parsers loaded) is shown apart.
import { join } from 'node:path';
import type { FileFormat } from '../../src/intake/extractor';
import { forkBundled } from './child';
import { envCount, inScratchDir } from './cli';
import { percentiles, row, type Row, type Section, type SectionResult } from './report';

export const FORMATS: readonly FileFormat[] = ['pdf', 'ofd', 'docx'];
/** what is read at once while /healthz is timed: four files, more than the bot's two processes take */
export const BUSY_FORMATS: readonly FileFormat[] = ['pdf', 'ofd', 'docx', 'pdf'];
export interface FormatTimings {
  cold: number;
  samples: number[];
  floor: number[];
}
export type ToBot = 'busy' | 'rest' | 'reads' | 'stop';
export type FromBot = { port: number } | { busy: true } | { read: number } | { reads: Record<FileFormat, FormatTimings> };

const WARMUP = 5;
const HEALTHZ_WARMUP = 20;
const HEALTHZ_SAMPLES = 300;

function ask(child: Awaited<ReturnType<typeof forkBundled>>, message?: ToBot): Promise<FromBot> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`intake-bot.ts exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as FromBot);
    });
    if (message !== undefined) child.send(message);
  });
}

/** /healthz asked `n` times one after another (keep-alive), each timed to its last byte. */
async function healthz(url: string, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function run(): Promise<SectionResult> {
  const samples = envCount('INTAKE_READS', 40);
  return inScratchDir(async (dir) => {
    process.stderr.write('  measuring: files read by a bot process\n');
    const child = await forkBundled(new URL('./intake-bot.ts', import.meta.url), [join(dir, 'bot.db'), String(WARMUP), String(samples)]);
    try {
      const { port } = (await ask(child)) as { port: number };
      const url = `http://127.0.0.1:${port}/healthz`;
      await healthz(url, HEALTHZ_WARMUP);
      const idle = percentiles(await healthz(url, HEALTHZ_SAMPLES));

      await ask(child, 'busy');
      const busyFrom = performance.now();
      const busy = percentiles(await healthz(url, HEALTHZ_SAMPLES));
      const busySeconds = (performance.now() - busyFrom) / 1000;
      const { read } = (await ask(child, 'rest')) as { read: number };

      const { reads } = (await ask(child, 'reads')) as { reads: Record<FileFormat, FormatTimings> };
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));

      const rows: Row[] = FORMATS.flatMap((format) => {
        const name = `20-page ${format.toUpperCase()}`;
        const p = percentiles(reads[format].samples);
        const floor = percentiles(reads[format].floor);
        return [
          row(`${name} read p50`, p.p50, 'ms', { baseline: floor.p50 }),
          row(`${name} read p99`, p.p99, 'ms', { target: 1000, baseline: floor.p99 }),
          row(`${name} first read, cold (process start, parsers loaded)`, reads[format].cold, 'ms'),
        ];
      });
      rows.push(
        row(`/healthz p99 while ${BUSY_FORMATS.length} files are read at once`, busy.p99, 'ms', { target: 50, baseline: idle.p99 }),
        row(`/healthz max while ${BUSY_FORMATS.length} files are read at once`, busy.max, 'ms', { baseline: idle.max }),
        row('files read meanwhile', read / busySeconds, 'files/s'),
      );
      return {
        name: 'intake',
        rows,
        notes: [
          `the bot in a fresh process as npm start runs it (bundled, plain node), reading with its own extractor (createExtractor() defaults: two child processes, the bundled extract-process.mjs under plain node with --max-old-space-size=512); the file comes from tests/fixtures/gbt9704/make-files.ts (a 通知 of 20 GB/T 9704 pages)`,
          `a read: ${samples} timed one after another after ${WARMUP} untimed, from extract(bytes) to its pages of lines (sniffed, sent over IPC, parsed, sent back); each checked to be all 20 pages and the reader's own lines`,
          "baseline of a read (the floor): the same file read in the bot's process by the format's reader alone (src/intake/formats), no child process or IPC, as many times after as many untimed",
          'cold first read: a fresh extractor in the bot process, its first file: a child process started, node and the parsers (pdf.js, mammoth) loaded, the file read; one per format, shown for context',
          `/healthz: ${HEALTHZ_SAMPLES} requests one after another from the benchmark's process after ${HEALTHZ_WARMUP} untimed; busy: meanwhile ${BUSY_FORMATS.join(', ')} read again as soon as each is read, through the bot's extractor (two read at a time, two waiting in its queue); baseline: /healthz with nothing being read`,
        ],
      };
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
}

export const intake: Section = { name: 'intake', run };
