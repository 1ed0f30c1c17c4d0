import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/intake/sniff';
import { makeDocx } from '../fixtures/gbt9704/make-docx';
import { makeOfd } from '../fixtures/gbt9704/make-ofd';
import { makePdf, makeScannedPdf } from '../fixtures/gbt9704/make-pdf';

const PAGES = [['浙江省人民政府办公厅文件', '浙政办发〔2026〕3号']];
const bytes = (...parts: (number[] | string)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const padded = (head: Buffer) => Buffer.concat([head, Buffer.alloc(64, 0)]);

describe('sniff', () => {
  it('tells the three readable formats by their bytes', () => {
    expect(sniff(makePdf(PAGES))).toBe('pdf');
    expect(sniff(makeScannedPdf(1))).toBe('pdf');
    expect(sniff(makeOfd(PAGES))).toBe('ofd');
    expect(sniff(makeDocx(PAGES))).toBe('docx');
  });

  it('takes a PDF whose header follows some leading bytes, as Acrobat does', () => {
    expect(sniff(Buffer.concat([Buffer.from('\r\n\0garbage from a mail gateway\n'), makePdf(PAGES)]))).toBe('pdf');
  });

  it('tells an OFD or DOCX cut short before its central directory by the entries received', () => {
    const ofd = makeOfd(PAGES);
    const docx = makeDocx(PAGES);
    expect(sniff(ofd.subarray(0, ofd.length - 100))).toBe('ofd');
    expect(sniff(docx.subarray(0, Math.floor(docx.length * 0.6)))).toBe('docx');
  });

  it('calls any other ZIP a zip (a spreadsheet, an archive of files)', () => {
    expect(sniff(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>') }))).toEqual({ detected: 'zip' });
    expect(sniff(zipSync({}))).toEqual({ detected: 'zip' });
  });

  it('calls an OLE compound file (.doc, .wps) a doc', () => {
    expect(sniff(padded(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))).toEqual({ detected: 'doc' });
  });

  it('tells photos and scans in any common image format, whatever they are named', () => {
    for (const head of [
      bytes([0x89], 'PNG\r\n\x1a\n'),
      bytes([0xff, 0xd8, 0xff, 0xe0]),
      bytes('GIF89a'),
      bytes('GIF87a'),
      bytes('BM', [0x36, 0x10, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]),
      bytes('II*\0'),
      bytes('MM\0*'),
      bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '),
    ]) {
      expect(sniff(padded(head))).toEqual({ detected: 'image' });
    }
  });

  it('calls text text, in UTF-8 or GBK, and a text beginning "BM" is no bitmap', () => {
    expect(sniff(Buffer.from('关于进一步规范政务服务事项办理的通知\r\n各乡镇人民政府：\r\n'))).toEqual({ detected: 'text' });
    expect(sniff(iconv.encode('关于进一步规范政务服务事项办理的通知\r\n各乡镇人民政府：\r\n', 'gbk'))).toEqual({ detected: 'text' });
    expect(sniff(Buffer.from('BMW 车辆采购清单\n'))).toEqual({ detected: 'text' });
  });

  it('knows nothing of random bytes or an empty file', () => {
    // a fixed pattern, not the machine's randomness: every byte value, shuffled
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 167 + 13) % 256));
    expect(sniff(noise)).toEqual({ detected: 'unknown' });
    expect(sniff(new Uint8Array(0))).toEqual({ detected: 'unknown' });
  });
});
