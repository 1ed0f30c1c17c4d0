// What a received file is, told by its bytes alone: its name is whatever the sender typed, and a
// photo renamed to 通知.pdf must be refused as a photo, not fail as a broken PDF.
import { zipNames } from './formats/zip';

export type FileFormat = 'pdf' | 'ofd' | 'docx';
/** What a file that cannot be read is, as far as it can be told; 'wps' is not told apart from 'doc' (both OLE). */
export type Detected = 'image' | 'doc' | 'wps' | 'zip' | 'text' | 'unknown';

const starts = (bytes: Uint8Array, ...signature: number[]) => signature.every((b, i) => bytes[i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

function isImage(bytes: Uint8Array): boolean {
  return (
    starts(bytes, 0x89, ...ascii('PNG\r\n\x1a\n')) ||
    starts(bytes, 0xff, 0xd8, 0xff) ||
    starts(bytes, ...ascii('GIF87a')) ||
    starts(bytes, ...ascii('GIF89a')) ||
    // 'BM' alone would take a text beginning with BM for a bitmap: its reserved bytes 6–9 are zero
    (starts(bytes, ...ascii('BM')) && bytes.length > 14 && bytes[6] === 0 && bytes[7] === 0 && bytes[8] === 0 && bytes[9] === 0) ||
    starts(bytes, ...ascii('II*\0')) ||
    starts(bytes, ...ascii('MM\0*')) ||
    (starts(bytes, ...ascii('RIFF')) && starts(bytes.subarray(8), ...ascii('WEBP')))
  );
}

/** No NUL and hardly any control characters in its first 4 KB: text in some encoding (GBK's bytes count as printable). */
function isText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  if (sample.length === 0) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) control++;
  }
  return control <= sample.length / 100;
}

// Acrobat reads a PDF whose header comes after up to 1 KB of leading bytes, and some producers write such files
const PDF_HEADER = Buffer.from('%PDF-');

export function sniff(bytes: Uint8Array): FileFormat | { detected: Detected } {
  if (starts(bytes, ...PDF_HEADER)) return 'pdf';
  if (starts(bytes, ...ascii('PK\x03\x04')) || starts(bytes, ...ascii('PK\x05\x06'))) {
    const names = zipNames(bytes);
    if (names.includes('OFD.xml')) return 'ofd';
    if (names.includes('word/document.xml')) return 'docx';
    return { detected: 'zip' };
  }
  if (starts(bytes, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return { detected: 'doc' };
  if (isImage(bytes)) return { detected: 'image' };
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).includes(PDF_HEADER)) return 'pdf';
  if (isText(bytes)) return { detected: 'text' };
  return { detected: 'unknown' };
}
