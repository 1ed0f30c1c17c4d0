// How many documents each benchmark keyword matches, counted through the index the bot searches
// on each dialect (SQLite's documents_fts, PostgreSQL's document_grams), and the notes that say
// what share of the corpus that is: a search's time means little without its keyword's reach.
import Database from 'better-sqlite3';
import type pg from 'pg';
import { COMMON_KEYWORD, SELECTIVE_KEYWORDS } from './corpus';

const KEYWORDS = [...SELECTIVE_KEYWORDS, COMMON_KEYWORD];

export type KeywordCounts = Map<string, number>;

export function sqliteKeywordCounts(path: string): KeywordCounts {
  const sqlite = new Database(path, { readonly: true });
  try {
    const count = sqlite.prepare('SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?').pluck();
    return new Map(KEYWORDS.map((kw) => [kw, count.get(`"${kw}"`) as number]));
  } finally {
    sqlite.close();
  }
}

/** A two-character keyword is one bigram: the documents holding it are its rows in document_grams. */
export async function pgKeywordCounts(client: pg.ClientBase): Promise<KeywordCounts> {
  const counts: KeywordCounts = new Map();
  for (const kw of KEYWORDS) counts.set(kw, (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM document_grams WHERE gram = $1', [kw])).rows[0]!.n);
  return counts;
}

export function shareNotes(counts: KeywordCounts, docs: number): string[] {
  const share = (kw: string) => `${kw} ${((100 * counts.get(kw)!) / docs).toFixed(2)}%`;
  return [`two-character keywords (cycled), share of documents matched: ${SELECTIVE_KEYWORDS.map(share).join(', ')}`, `worst-case keyword: ${share(COMMON_KEYWORD)}`];
}

/** The keywords whose counts differ between two databases (none, when both hold the same corpus). */
export function differing(a: KeywordCounts, b: KeywordCounts): string[] {
  return KEYWORDS.filter((kw) => a.get(kw) !== b.get(kw));
}
