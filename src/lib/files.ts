// What a platform hands back for a file someone sent: the bytes, or why not. Platforms implement
// FileFetcher; the reader of files (engine/intake.ts) knows nothing else of them.

export type Fetched =
  | { ok: true; bytes: Buffer; name: string }
  /** larger than allowed: stopped at the limit, never read whole */
  | { ok: false; reason: 'too-big' }
  /** the message named is not a file or photo (a reply to a text, say) */
  | { ok: false; reason: 'not-a-file' }
  /** the platform would not or could not give it (gone, no permission, unreachable); `detail` is for the log */
  | { ok: false; reason: 'unavailable'; detail: string };

export type FileFetcher = (handle: Readonly<Record<string, string>>, maxBytes: number) => Promise<Fetched>;

/** Reads a stream into memory up to maxBytes, destroying it at the first byte past: a file too large is never read whole. */
export async function readCapped(stream: NodeJS.ReadableStream & { destroy?: (error?: Error) => void }, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > maxBytes) {
      stream.destroy?.();
      return null;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
