// The bigram encoding behind documents_fts (see its migration): text is reduced to letters and
// digits, then written as overlapping two-character tokens plus the last character alone.

function normalize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function bigrams(run: string): string[] {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** The indexed form of some fields' text. */
export function toGrams(...fields: (string | null | undefined)[]): string {
  const tokens: string[] = [];
  for (const field of fields) {
    if (!field) continue;
    for (const run of normalize(field)) {
      tokens.push(...bigrams(run));
      tokens.push([...run].at(-1)!);
    }
  }
  return tokens.join(' ');
}

/**
 * An FTS5 MATCH expression for what a person typed: each space-separated term must occur as a
 * substring. Null when nothing searchable is left.
 */
export function toMatchQuery(query: string): string | null {
  const terms = normalize(query);
  if (terms.length === 0) return null;
  return terms
    .map((term) => ([...term].length === 1 ? `"${term}"*` : `"${bigrams(term).join(' ')}"`))
    .join(' AND ');
}
