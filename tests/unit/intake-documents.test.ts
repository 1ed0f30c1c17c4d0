// Every sample document in the GB/T 9704 layout, made as a PDF (set line by line, and character by
// character as many producers place text), an OFD and a DOCX, read back through the real
// extractor (child processes) and the layout reader: the same fields from each format.
import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx } from '../fixtures/gbt9704/make-docx';
import { makeOfd } from '../fixtures/gbt9704/make-ofd';
import { makePdf } from '../fixtures/gbt9704/make-pdf';
import { SAMPLES } from '../fixtures/gbt9704/samples';
import { createExtractor } from '../../src/intake/extractor';
import { readLayout } from '../../src/intake/layout';
import { secrecyMark } from '../../src/intake/secrecy';

const extractor = createExtractor();
afterAll(() => extractor.close());

const FORMATS = {
  pdf: (pages: string[][]) => makePdf(pages),
  'pdf, each character placed apart': (pages: string[][]) => makePdf(pages, { charByChar: true }),
  ofd: (pages: string[][]) => makeOfd(pages),
  docx: (pages: string[][]) => makeDocx(pages),
};

describe.each(Object.entries(FORMATS))('%s', (_format, make) => {
  it.each(SAMPLES.map((s) => [s.name, s] as const))('%s', async (_name, sample) => {
    const extracted = await extractor.extract(make(sample.pages));
    if (!extracted.ok) throw new Error(`not read: ${extracted.reason}`);
    expect(extracted.pageCount).toBe(sample.pages.length);
    const mark = secrecyMark(extracted.pages);
    if (sample.secret) {
      expect(mark).toMatchObject({ level: sample.secret.level });
      return;
    }
    expect(mark).toBeNull();
    const read = readLayout(extracted.pages);
    const values = Object.fromEntries(Object.entries(read).map(([k, v]) => [k, v?.value]));
    expect(values).toMatchObject(sample.expected);
  });
});
