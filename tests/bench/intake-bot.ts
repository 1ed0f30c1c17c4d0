// The bot's half of the intake benchmark, in a bot process of its own as `npm start` runs it: the
// real HTTP server on a free loopback port, and the extractor it reads files with (its child
// processes the bundled extract-process.mjs under plain node). Sends { port } once listening; then
// 'busy' sets four files being read at once, again and again, through that extractor until 'rest';
// 'reads' times reading each 20-page file through it, a cold first read through a fresh one, and
// the floor: the format's reader alone in this process. 'stop' stops cleanly.
//   argv: <database path>
import { isDeepStrictEqual } from 'node:util';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createExtractor, type Extracted, type Extractor, type FileFormat } from '../../src/intake/extractor';
import { readDocx } from '../../src/intake/formats/docx';
import type { Paged } from '../../src/intake/formats/lines';
import { readOfd } from '../../src/intake/formats/ofd';
import { readPdf } from '../../src/intake/formats/pdf';
import { createLogger } from '../../src/logger';
import { makeTwentyPages } from '../fixtures/gbt9704/make-files';
import { BUSY_FORMATS, FORMATS, type FormatTimings, type FromBot, type ToBot } from './intake';

const READERS: Record<FileFormat, (bytes: Uint8Array) => Paged | Promise<Paged>> = { pdf: readPdf, ofd: readOfd, docx: readDocx };

const [dbPath, warmupArg, samplesArg] = process.argv.slice(2);
const WARMUP = Number(warmupArg);
const SAMPLES = Number(samplesArg);
const send = (m: FromBot) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
const files = Object.fromEntries(FORMATS.map((f) => [f, new Uint8Array(makeTwentyPages(f))])) as Record<FileFormat, Uint8Array>;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The file read whole, or why not (never its text: the figures are all that leave). */
function whole(format: FileFormat, result: Extracted): Extract<Extracted, { ok: true }> {
  if (!result.ok || result.pageCount !== 20) throw new Error(`${format}: read as ${JSON.stringify(result.ok ? { pageCount: result.pageCount } : result)}`);
  return result;
}

async function reads(extractor: Extractor): Promise<Record<FileFormat, FormatTimings>> {
  const out = {} as Record<FileFormat, FormatTimings>;
  for (const format of FORMATS) {
    // a fresh extractor's first file: a process started, node and the parsers loaded, then the read
    const fresh = createExtractor();
    const cold = await timed(() => fresh.extract(files[format])).finally(() => fresh.close());
    whole(format, cold.value);

    for (let i = 0; i < WARMUP; i++) whole(format, await extractor.extract(files[format]));
    const samples: number[] = [];
    let pages: string[][] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const r = await timed(() => extractor.extract(files[format]));
      pages = whole(format, r.value).pages;
      samples.push(r.ms);
    }

    // pdf.js may take the bytes it is given: each read its own copy, copied outside the timing
    const floor: number[] = [];
    let floorPages: string[][] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const copy = files[format].slice();
      const r = await timed(() => READERS[format](copy));
      if (i >= WARMUP) floor.push(r.ms);
      floorPages = r.value.pages;
    }
    if (!isDeepStrictEqual(pages, floorPages)) throw new Error(`${format}: the extractor's lines differ from the reader's own`);
    out[format] = { cold: cold.ms, samples, floor };
  }
  return out;
}

async function main(): Promise<void> {
  // as `npm start` runs it (housekeeping on its timer, no scheduler), its extractor in hand
  const extractor = createExtractor();
  const config = loadConfig({ DATABASE_PATH: dbPath!, LOG_LEVEL: 'silent' });
  const bot = await createBot({ config, log: createLogger('silent'), extractor });
  await bot.start({ port: 0, host: '127.0.0.1' });

  let reading = false;
  let read = 0;
  let loops: Promise<void>[] = [];
  process.on('message', async (m: ToBot) => {
    if (m === 'busy') {
      // both processes started and warm on every format before the first /healthz is timed
      await Promise.all(FORMATS.flatMap((f) => [extractor.extract(files[f]), extractor.extract(files[f])]));
      reading = true;
      read = 0;
      loops = BUSY_FORMATS.map(async (format) => {
        while (reading) {
          whole(format, await extractor.extract(files[format]));
          read++;
        }
      });
      await send({ busy: true });
    } else if (m === 'rest') {
      reading = false;
      await Promise.all(loops);
      await send({ read });
    } else if (m === 'reads') {
      await send({ reads: await reads(extractor) });
    } else {
      await bot.stop();
      await extractor.close();
      process.exit(0);
    }
  });
  await send({ port: bot.port() });
}

// orphaned (the benchmark failed or was interrupted): nothing left to serve, no child left behind
process.on('disconnect', () => process.exit(1));

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
