// The ZIP container of OFD and DOCX files, read from its central directory. A received file is
// untrusted: an entry is inflated only up to the size its directory declares (a lie there makes
// the file broken, never a bigger inflation), and a package declaring more than ZIP_CAP_BYTES in
// all is refused before anything is inflated.
import { inflateRawSync } from 'node:zlib';

/** What all of a package's entries may inflate to: far beyond any real document, far below the child's memory. */
export const ZIP_CAP_BYTES = 200 * 1_048_576;

interface Entry {
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

export interface ZipPackage {
  names: string[];
  has(name: string): boolean;
  /** The entry's bytes; throws when it is missing, encrypted, or corrupt. */
  read(name: string): Uint8Array;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const utf8 = new TextDecoder();

/** The package's central directory; null when there is none to read (not a ZIP, or cut short). */
function directory(bytes: Uint8Array): Map<string, Entry> | null {
  // the end record is the last 22 bytes unless an archive comment (≤ 65535 bytes) follows it
  let end = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (u32(bytes, at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) return null;
  const count = u16(bytes, end + 10);
  let at = u32(bytes, end + 16);
  const entries = new Map<string, Entry>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || u32(bytes, at) !== 0x02014b50) return null;
    const nameLength = u16(bytes, at + 28);
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // bit 0: encrypted, which no document reader here can open
    const method = u16(bytes, at + 8) & 1 ? -1 : u16(bytes, at + 10);
    entries.set(name, { method, compressedSize: u32(bytes, at + 20), size: u32(bytes, at + 24), localHeader: u32(bytes, at + 42) });
    at += 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
  }
  return entries;
}

/**
 * The names in a ZIP, for telling OFD from DOCX: from the central directory, or, for a file cut
 * short before it, from the local headers that were received.
 */
export function zipNames(bytes: Uint8Array): string[] {
  const entries = directory(bytes);
  if (entries) return [...entries.keys()];
  const names: string[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf('PK\x03\x04'); at >= 0 && at + 30 <= buffer.length; at = buffer.indexOf('PK\x03\x04', at + 4)) {
    names.push(utf8.decode(bytes.subarray(at + 30, at + 30 + u16(bytes, at + 26))));
  }
  return names;
}

/** Opens a package for reading its entries; throws when it cannot be read or declares more than capBytes. */
export function openZip(bytes: Uint8Array, capBytes = ZIP_CAP_BYTES): ZipPackage {
  const entries = directory(bytes);
  if (!entries) throw new Error('no ZIP central directory');
  let declared = 0;
  for (const entry of entries.values()) declared += entry.size;
  if (declared > capBytes) throw new Error(`ZIP entries declare ${declared} bytes, more than ${capBytes}`);
  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    read(name) {
      const entry = entries.get(name);
      if (!entry) throw new Error('ZIP entry missing');
      const at = entry.localHeader;
      if (at + 30 > bytes.length || u32(bytes, at) !== 0x04034b50) throw new Error('ZIP local header missing');
      const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
      const data = bytes.subarray(start, start + entry.compressedSize);
      if (data.length !== entry.compressedSize) throw new Error('ZIP entry cut short');
      if (entry.method === 0) {
        if (entry.size !== data.length) throw new Error('ZIP stored entry of the wrong size');
        return data;
      }
      if (entry.method !== 8) throw new Error(`ZIP entry method ${entry.method} not supported`);
      // inflating past the declared size throws (ERR_BUFFER_TOO_LARGE): a lying directory cannot cost memory
      const out = inflateRawSync(data, { maxOutputLength: Math.max(entry.size, 1) });
      if (out.length !== entry.size) throw new Error('ZIP entry of the wrong size');
      return out;
    },
  };
}
