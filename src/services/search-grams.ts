// The bigram encoding behind documents_fts (see its migration) and PostgreSQL's document_grams:
// text is reduced to letters and digits, then written as overlapping two-character tokens plus
// the last character alone.

function normalize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function bigrams(run: string): string[] {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

function tokens(fields: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const field of fields) {
    if (!field) continue;
    for (const run of normalize(field)) {
      out.push(...bigrams(run));
      out.push([...run].at(-1)!);
    }
  }
  return out;
}

/** The indexed form of some fields' text. */
export function toGrams(...fields: (string | null | undefined)[]): string {
  return tokens(fields).join(' ');
}

/** The tokens of toGrams, each once: the rows a table of (gram, document) keeps for the fields. */
export function distinctGrams(...fields: (string | null | undefined)[]): string[] {
  return [...new Set(tokens(fields))];
}

/** What a person typed, as terms each to be found as a substring; empty when nothing searchable is left. */
export function searchTerms(query: string): string[] {
  return normalize(query);
}

/** The grams a text containing the term has indexed: its bigrams; none for a one-character term. */
export function termGrams(term: string): string[] {
  return bigrams(term);
}

/** Whether the fields contain every term as the index reads them: within one run of letters and digits, after NFKC and lower case. */
export function containsTerms(fields: readonly (string | null | undefined)[], terms: readonly string[]): boolean {
  const runs = fields.flatMap((field) => (field ? normalize(field) : []));
  return terms.every((term) => runs.some((run) => run.includes(term)));
}

/**
 * An FTS5 MATCH expression for what a person typed: each space-separated term must occur as a
 * substring. Null when nothing searchable is left.
 */
export function toMatchQuery(query: string): string | null {
  const terms = searchTerms(query);
  if (terms.length === 0) return null;
  return terms.map((term) => ([...term].length === 1 ? `"${term}"*` : `"${termGrams(term).join(' ')}"`)).join(' AND ');
}
