// PDF text with pdf.js's Node build. Node has no web worker: pdf.js then runs its worker's code
// in this thread (its "fake worker"), which it would load by a path relative to its own file; it
// is handed the worker module here instead, so that the same code works under tsx and from the
// bundle (where packages stay in node_modules). Only text is read: no fonts are turned into
// font faces, nothing is evaluated as code, no images are decoded.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { getDocument, Util, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
// @ts-expect-error -- the worker ships without type declarations; pdf.js itself takes WorkerMessageHandler from it
import * as pdfWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';
import { toLines, type Paged, type Placed } from './lines';

(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfWorker;

// pdf.js reads these with fs, so plain paths (its factories want the trailing slash); the CMaps
// are how CJK text in predefined encodings (UniGB-UCS2-H, GBK-EUC-H…) becomes Unicode
const packageDir = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const cMapUrl = join(packageDir, 'cmaps') + '/';
const standardFontDataUrl = join(packageDir, 'standard_fonts') + '/';

/** Reads the PDF's text; `bytes` are handed over (pdf.js transfers their buffer to its worker code, leaving them empty). */
export async function readPdf(bytes: Uint8Array): Promise<Paged> {
  const task = getDocument({
    data: bytes,
    cMapUrl,
    cMapPacked: true,
    standardFontDataUrl,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWasm: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    // its warnings go to the console and may quote the file
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const doc = await task.promise;
    const pages: string[][] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      // the viewport's transform puts text where it shows: page rotation and crop applied, y down
      const view = page.getViewport({ scale: 1 }).transform;
      const placed: Placed[] = [];
      for (const item of (await page.getTextContent()).items) {
        if (!('str' in item)) continue;
        const [a, b, c, d, x, y] = Util.transform(view, item.transform) as number[];
        const size = Math.hypot(c!, d!) || Math.hypot(a!, b!);
        placed.push({ text: item.str, x: x!, y: y!, width: item.width, size });
      }
      pages.push(toLines(placed));
      page.cleanup();
    }
    return { pages, pageCount: doc.numPages };
  } finally {
    await task.destroy();
  }
}
