import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createExtractor, TEST_FAULTS_ENV, type Extractor } from '../../src/intake/extractor';
import { makeDocx } from '../fixtures/gbt9704/make-docx';
import { makeFile, makeTwentyPages, TWENTY_PAGES } from '../fixtures/gbt9704/make-files';
import { makeOfd } from '../fixtures/gbt9704/make-ofd';
import { makePdf, makeScannedPdf } from '../fixtures/gbt9704/make-pdf';
import { bundledFile, childEnv } from '../spawn';

// a 公文 over two pages, its lines as printed: full-width punctuation, a 文号 and 签发人 apart on one line
const NOTICE = [
  [
    '浙江省人民政府办公厅文件',
    '浙政办发〔2026〕3号        签发人：王五',
    '关于印发《浙江省政务服务“一网通办”实施方案》的通知',
    '各市、县（市、区）人民政府，省政府直属各单位：',
    '现将《实施方案》印发给你们，请认真贯彻执行。',
    '— 1 —',
  ],
  ['浙江省人民政府办公厅', '2026年11月20日', '（此件公开发布）', '抄送：省委办公厅，省人大常委会办公厅。', '浙江省人民政府办公厅          2026年11月20日印发', '— 2 —'],
];
/** What comes out: a visible gap is one space. */
const read = (pages: string[][]) => pages.map((lines) => lines.map((line) => line.replace(/\s+/g, ' ')));

/** The extraction processes this test process has started and that are still there. */
function extractProcesses(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('extract-process');
      } catch {
        return false; // gone while listed
      }
    })
    .map(Number);
}

// The children run from the run's bundle (tests/global-setup.ts) under plain node, as under `npm
// start`: from the sources each start takes tsx's seconds, and these tests start a dozen. The last
// tests start them as the sources do (extract-process.ts under tsx's loader, createExtractor()'s
// own choice), which the tsx command-line tools and the suite's in-process bots rely on.
const childScript = bundledFile('extract-process');

/** Where a ZIP's central directory records `name`: the name follows the 46-byte record, and the directory comes last. */
function directoryRecord(zip: Buffer, name: string): number {
  const at = zip.lastIndexOf(Buffer.from(name)) - 46;
  expect(zip.readUInt32LE(at)).toBe(0x02014b50);
  return at;
}

describe('extraction in child processes', () => {
  let extractor: Extractor;
  beforeAll(() => {
    // the children inherit it: a PDF marked %hang or %crash then misbehaves, for the tests below
    process.env[TEST_FAULTS_ENV] = '1';
    extractor = createExtractor({ timeoutMs: 30_000, childScript });
  });
  afterAll(() => extractor.close());

  it.each([
    ['pdf', makePdf(NOTICE)],
    ['pdf', makePdf(NOTICE, { charByChar: true })],
    ['pdf', makePdf(NOTICE, { encoding: 'unigb' })],
    ['ofd', makeOfd(NOTICE)],
    ['docx', makeDocx(NOTICE)],
  ] as const)('reads a %s back into its pages of lines', async (format, file) => {
    expect(await extractor.extract(file)).toEqual({ ok: true, format, pages: read(NOTICE), pageCount: 2 });
  });

  it('joins a PDF placed character by character into the same lines as one placed line by line', async () => {
    const lines = [['浙江省某某县人民政府办公室文件', '某政办发〔2026〕18号', '关于进一步规范政务服务事项办理的通知']];
    const whole = await extractor.extract(makePdf(lines));
    expect(await extractor.extract(makePdf(lines, { charByChar: true }))).toEqual(whole);
    expect(whole).toMatchObject({ ok: true, pages: lines });
  });

  it('reads an OFD whose locations are from the package root, with text on a template page', async () => {
    const file = makeOfd([['第一页正文'], ['第二页正文']], { absolutePaths: true, templateLines: ['某某县人民政府办公室'] });
    expect(await extractor.extract(file)).toEqual({ ok: true, format: 'ofd', pages: [['第一页正文', '某某县人民政府办公室'], ['第二页正文', '某某县人民政府办公室']], pageCount: 2 });
  });

  it("counts a DOCX's pages by its page breaks when it does not record them", async () => {
    expect(await extractor.extract(makeDocx(NOTICE, { recordPages: false }))).toEqual({ ok: true, format: 'docx', pages: read(NOTICE), pageCount: 2 });
  });

  it('reads 20 pages of each format', async () => {
    for (const format of ['pdf', 'ofd', 'docx'] as const) {
      expect(await extractor.extract(makeTwentyPages(format))).toEqual({ ok: true, format, pages: read(TWENTY_PAGES), pageCount: 20 });
    }
  });

  it('finds no text in a scan, and says how many pages it has', async () => {
    expect(await extractor.extract(makeScannedPdf(3))).toEqual({ ok: false, reason: 'no-text', format: 'pdf', pageCount: 3 });
    expect(await extractor.extract(makeFile('docx', [[], []]))).toEqual({ ok: false, reason: 'no-text', format: 'docx', pageCount: 2 });
  });

  it('refuses a photo named .pdf and an old .doc by their bytes', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200)]);
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    expect(await extractor.extract(png)).toEqual({ ok: false, reason: 'unsupported', detected: 'image' });
    expect(await extractor.extract(ole)).toEqual({ ok: false, reason: 'unsupported', detected: 'doc' });
    expect(await extractor.extract(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 167 + 13) % 256)))).toEqual({ ok: false, reason: 'unsupported', detected: 'unknown' });
  });

  it('calls a truncated or garbled file broken', async () => {
    const pdf = makePdf(NOTICE);
    const docx = makeDocx(NOTICE);
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 167 + 13) % 256));
    expect(await extractor.extract(pdf.subarray(0, Math.floor(pdf.length * 0.9)))).toEqual({ ok: false, reason: 'broken', format: 'pdf' });
    expect(await extractor.extract(Buffer.concat([Buffer.from('%PDF-1.7\n'), garbage]))).toEqual({ ok: false, reason: 'broken', format: 'pdf' });
    expect(await extractor.extract(docx.subarray(0, Math.floor(docx.length * 0.6)))).toEqual({ ok: false, reason: 'broken', format: 'docx' });
    expect(await extractor.extract(zipSync({ 'OFD.xml': strToU8('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody/></ofd:OFD>') }))).toEqual({ ok: false, reason: 'broken', format: 'ofd' });
  });

  it('refuses a ZIP bomb: entries declaring more than 200 MB, or inflating past what they declare', async () => {
    const declared = makeDocx(NOTICE);
    // the uncompressed size, at +24
    declared.writeUInt32LE(300 * 1_048_576, directoryRecord(declared, 'word/document.xml') + 24);
    expect(await extractor.extract(declared)).toEqual({ ok: false, reason: 'broken', format: 'docx' });

    // 50 MB of zeros that say they are 1 KB: inflated, they would be more than was checked
    const lying = Buffer.from(zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>'), 'Doc_0/Document.xml': new Uint8Array(50 * 1_048_576) }, { level: 9 }));
    lying.writeUInt32LE(1024, directoryRecord(lying, 'Doc_0/Document.xml') + 24);
    expect(await extractor.extract(lying)).toEqual({ ok: false, reason: 'broken', format: 'ofd' });
  });

  it('fails only the file that crashes its process, and reads the next', async () => {
    expect(await extractor.extract(Buffer.from('%PDF-1.7\n%crash\n'))).toEqual({ ok: false, reason: 'broken', format: 'pdf' });
    expect(await extractor.extract(makePdf(NOTICE))).toMatchObject({ ok: true, pages: read(NOTICE) });
  });

  it('reads files sent at once, several processes at a time, and keeps no more than its pool', async () => {
    const files = [makePdf(NOTICE), makeOfd(NOTICE), makeDocx(NOTICE), makePdf(NOTICE, { charByChar: true }), makeOfd(NOTICE)];
    const results = await Promise.all(files.map((file) => extractor.extract(file)));
    for (const result of results) expect(result).toMatchObject({ ok: true, pages: read(NOTICE) });
    expect(extractProcesses().length).toBeLessThanOrEqual(2);
  });
});

describe('the time limit and the processes', () => {
  beforeAll(() => {
    process.env[TEST_FAULTS_ENV] = '1';
  });

  it('answers timeout for a file that hangs its process, kills that process, and reads the next file', async () => {
    const extractor = createExtractor({ timeoutMs: 3000, processes: 1, childScript });
    try {
      // the limit counts from when the process has its parsers loaded, however long a cold start takes
      const hanging = extractor.extract(Buffer.from('%PDF-1.7\n%hang\n'));
      await vi.waitFor(() => expect(extractProcesses()).toHaveLength(1), { timeout: 10_000, interval: 20 });
      const [hung] = extractProcesses();
      expect(await hanging).toEqual({ ok: false, reason: 'timeout' });
      await vi.waitFor(() => expect(extractProcesses()).not.toContain(hung), { timeout: 10_000, interval: 50 });
      expect(await extractor.extract(makeOfd(NOTICE))).toMatchObject({ ok: true, format: 'ofd', pages: read(NOTICE) });
    } finally {
      await extractor.close();
    }
  });

  it('lets a process that has been idle for idleMs exit, and starts another for the next file', async () => {
    const extractor = createExtractor({ idleMs: 100, childScript });
    try {
      expect(await extractor.extract(makePdf(NOTICE))).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(extractProcesses()).toEqual([]), { timeout: 10_000, interval: 50 });
      expect(await extractor.extract(makeDocx(NOTICE))).toMatchObject({ ok: true, format: 'docx' });
    } finally {
      await extractor.close();
    }
  });

  it('close() leaves no process behind, and a file waiting is refused', async () => {
    const extractor = createExtractor({ processes: 1, childScript });
    expect(await extractor.extract(makePdf(NOTICE))).toMatchObject({ ok: true });
    expect(extractProcesses()).toHaveLength(1);
    const refused = expect(extractor.extract(makeTwentyPages('pdf'))).rejects.toThrow('extractor closed');
    await extractor.close();
    await refused;
    expect(extractProcesses()).toEqual([]);
    await expect(extractor.extract(makePdf(NOTICE))).rejects.toThrow('extractor closed');
  });

  // a program (the bot shutting down, a command-line tool) must end when its work is done: an idle
  // process is not waited for, and close() waits for the processes it kills. The program runs
  // from the sources under tsx, and its extractor's child as the sources start it (no childScript)
  it.each(['close', 'leave'])('lets a program that uses it end on its own (%s)', async (ending) => {
    const program = `
      import { createExtractor } from ${JSON.stringify(new URL('../../src/intake/extractor.ts', import.meta.url).pathname)};
      import { makePdf } from ${JSON.stringify(new URL('../fixtures/gbt9704/make-pdf.ts', import.meta.url).pathname)};
      const extractor = createExtractor({ idleMs: 600_000 });
      const result = await extractor.extract(makePdf([['一']]));
      if (process.argv[1] === 'close') await extractor.close();
      console.log(result.ok);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program, ending], { env: childEnv() });
    expect(stdout).toBe('true\n');
  });
});
