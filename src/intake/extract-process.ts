// The child process that reads received files, started by createExtractor (extractor.ts) and kept
// for the next file: a file's bytes come over IPC, its pages of lines go back. A parser stuck in a
// loop or blowing its heap takes down this process, not the bot. Nothing of a file is written to
// disk or to the console.
import { readDocx } from './formats/docx';
import type { Paged } from './formats/lines';
import { readOfd } from './formats/ofd';
import { readPdf } from './formats/pdf';
import { TEST_FAULTS_ENV, type Extracted, type ExtractReply, type ExtractRequest } from './extractor';
import type { FileFormat } from './sniff';

const readers: Record<FileFormat, (bytes: Uint8Array) => Paged | Promise<Paged>> = { pdf: readPdf, ofd: readOfd, docx: readDocx };

async function extract({ format, bytes }: ExtractRequest): Promise<Extracted> {
  try {
    const { pages, pageCount } = await readers[format](bytes);
    if (pages.every((lines) => lines.length === 0)) return { ok: false, reason: 'no-text', format, pageCount };
    return { ok: true, format, pages, pageCount };
  } catch {
    // the parser's message may quote the file: it stays here
    return { ok: false, reason: 'broken', format };
  }
}

// how the tests make a file hang or crash this process, honoured only under their variable
const testFaults = process.env[TEST_FAULTS_ENV] === '1';
const fault = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16)).toString('latin1');

// the bot gone, there is nobody to read for
process.on('disconnect', () => process.exit(0));
// an error escaping a parser may quote the file: the process ends without printing it (its file is broken)
process.on('uncaughtException', () => process.exit(70));
process.on('unhandledRejection', () => process.exit(70));
process.on('message', (request: ExtractRequest) => {
  // what arrives is a view on the message's buffer; pdf.js wants a plain Uint8Array
  const bytes = new Uint8Array(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  if (testFaults && fault(bytes).startsWith('%PDF-1.7\n%hang')) for (;;);
  if (testFaults && fault(bytes).startsWith('%PDF-1.7\n%crash')) process.exit(70);
  void extract({ ...request, bytes }).then((result) => process.send!({ id: request.id, result } satisfies ExtractReply));
});
// the parsers are loaded: from now on a file is read at once
process.send!({ ready: true });
