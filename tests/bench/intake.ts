// Issue 21's figures: reading a 20-page PDF, OFD and DOCX p99 ≤ 1 s each through the extractor the
// bot uses (warm child processes), and /healthz p99 ≤ 50 ms while 4 extractions run at once. The
// floor of a read is the same format read in this process by its reader alone (no child, no IPC);
// the floor of /healthz is its p99 with nothing being read. The cold first read (a process started,
// its parsers loaded) is shown apart. The children run from the sources under tsx's loader here;
// from the bundle (npm start) they start faster and read the same way.
import { loadConfig } from '../../src/config';
import { createBot } from '../../src/bot';
import { createExtractor, type FileFormat } from '../../src/intake/extractor';
import { readDocx } from '../../src/intake/formats/docx';
import { readOfd } from '../../src/intake/formats/ofd';
import { readPdf } from '../../src/intake/formats/pdf';
import { createLogger } from '../../src/logger';
import { makeTwentyPages } from '../fixtures/gbt9704/make-files';
import { envCount, inScratchDir, progress } from './cli';
import { percentiles, row, type Row, type Section, type SectionResult } from './report';

const FORMATS: FileFormat[] = ['pdf', 'ofd', 'docx'];
const READERS: Record<FileFormat, (bytes: Uint8Array) => Promise<unknown> | unknown> = { pdf: readPdf, ofd: readOfd, docx: readDocx };
const WARMUP = 5;

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function healthz(url: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    out.push(
      await timed(async () => {
        const res = await fetch(url);
        if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
        await res.arrayBuffer();
      }),
    );
  }
  return out;
}

async function run(): Promise<SectionResult> {
  const samples = envCount('INTAKE_READS', 40);
  const rows: Row[] = [];
  const files = Object.fromEntries(FORMATS.map((f) => [f, new Uint8Array(makeTwentyPages(f))])) as Record<FileFormat, Uint8Array>;

  for (const format of FORMATS) {
    const extractor = createExtractor();
    try {
      const cold = await timed(() => extractor.extract(files[format]));
      for (let i = 0; i < WARMUP; i++) await extractor.extract(files[format]);
      const reads: number[] = [];
      for (let i = 0; i < samples; i++) {
        reads.push(
          await timed(async () => {
            const r = await extractor.extract(files[format]);
            if (!r.ok || r.pageCount !== 20) throw new Error(`${format}: not read whole`);
          }),
        );
      }
      const floor: number[] = [];
      for (let i = 0; i < WARMUP; i++) await READERS[format](files[format].slice());
      for (let i = 0; i < samples; i++) floor.push(await timed(() => READERS[format](files[format].slice())));
      const p = percentiles(reads);
      rows.push(row(`20-page ${format.toUpperCase()} read p50`, p.p50, 'ms', { baseline: percentiles(floor).p50 }));
      rows.push(row(`20-page ${format.toUpperCase()} read p99`, p.p99, 'ms', { target: 1000, baseline: percentiles(floor).p99 }));
      rows.push(row(`20-page ${format.toUpperCase()} first read (process start)`, cold, 'ms'));
      progress(`  ${format}: p99 ${p.p99.toFixed(0)} ms`);
    } finally {
      await extractor.close();
    }
  }

  await inScratchDir(async (dir) => {
    const extractor = createExtractor();
    const config = loadConfig({ DATABASE_PATH: `${dir}/bot.db`, LOG_LEVEL: 'silent' });
    const bot = await createBot({ config, log: createLogger('silent'), extractor });
    await bot.start({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${bot.port()}/healthz`;
      await healthz(url, 50);
      const idle = await healthz(url, 300);
      // the bot's own extractor, four files at a time for as long as /healthz is asked
      await Promise.all([extractor.extract(files.pdf), extractor.extract(files.docx)]);
      let reading = true;
      let read = 0;
      const loops = FORMATS.concat('pdf').map(async (format) => {
        while (reading) {
          await extractor.extract(files[format]);
          read++;
        }
      });
      const busy = await healthz(url, 300);
      reading = false;
      await Promise.all(loops);
      rows.push(row('/healthz p99 while 4 files are read', percentiles(busy).p99, 'ms', { target: 50, baseline: percentiles(idle).p99 }));
      progress(`  /healthz p99 ${percentiles(busy).p99.toFixed(1)} ms with ${read} files read meanwhile`);
    } finally {
      await bot.stop();
      await extractor.close();
    }
  });

  return {
    name: 'intake',
    rows,
    notes: [
      `${samples} timed reads per format after ${WARMUP} untimed, one at a time, through createExtractor() (child processes from the sources under tsx's loader; warm, as the bot keeps them)`,
      "baseline of a read: the same file read in this process by the format's reader alone, no child process or IPC",
      "/healthz: 300 sequential requests to the bot's server; baseline: its p99 with nothing being read; busy: four reads at a time through the bot's own extractor (two processes) for the whole measurement",
    ],
  };
}

export const intake: Section = { name: 'intake', run };
