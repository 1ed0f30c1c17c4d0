// Keyword search over documents, one implementation per dialect behind one interface: SQLite
// asks its FTS5 table documents_fts, PostgreSQL (no FTS5, and no extension assumed) its table
// document_grams of the same bigrams. Either finds the documents whose searchable fields contain
// every term typed as a substring, newest first.
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents } from '../../db/schema';
import { containsTerms, distinctGrams, searchTerms, termGrams, toGrams, toMatchQuery } from './search-grams';

type Searchable = Pick<typeof documents.$inferSelect, 'id' | 'title' | 'docNumber' | 'sourceUnit' | 'recipients' | 'draftingUnit'>;

/** The fields a document is found by (a 收文 has no recipients or drafting unit, a 发文 no source unit). */
function fieldsOf(d: Searchable) {
  return [d.title, d.docNumber, d.sourceUnit, d.recipients, d.draftingUnit];
}

export interface DocumentSearch {
  /** Indexes a newly registered document, inside the registering transaction. */
  add(doc: Searchable): Promise<void>;
  /**
   * The ids of the newest `limit` documents matching what a person typed, newest first, only
   * those handled by `unitId` when one is given. Null when nothing searchable was typed.
   */
  newest(query: string, unitId: number | null, limit: number): Promise<number[] | null>;
}

export function createDocumentSearch(db: Db): DocumentSearch {
  return db.dialect === 'sqlite' ? sqliteSearch(db) : postgresSearch(db);
}

function sqliteSearch(db: Db): DocumentSearch {
  return {
    async add(doc) {
      await db.run(sql`INSERT INTO documents_fts (rowid, grams) VALUES (${doc.id}, ${toGrams(...fieldsOf(doc))})`);
    },

    async newest(query, unitId, limit) {
      const match = toMatchQuery(query);
      if (!match) return null;
      const rows = await db.all<{ id: number }>(
        unitId === null
          ? sql`SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH ${match} ORDER BY rowid DESC LIMIT ${limit}`
          : sql`SELECT documents_fts.rowid AS id FROM documents_fts JOIN documents u ON u.id = documents_fts.rowid
                WHERE documents_fts MATCH ${match} AND u.handling_unit_id = ${unitId} ORDER BY documents_fts.rowid DESC LIMIT ${limit}`,
      );
      return rows.map((r) => r.id);
    },
  };
}

// Sorts after every character of the Basic Multilingual Plane (by code point, and in ICU's order),
// so [c, c + LAST) holds every gram starting with c but one whose second character lies beyond it.
const LAST = '\uFFFF';

/**
 * Bigram rows narrow the documents down; each candidate's own text then decides, so a document
 * holding a term's bigrams apart (防汛 and 汛期 but not 防汛期) is never a hit. The answers are
 * FTS5's, except: unicode61's folding of diacritics (SQLite finds café by cafe, this
 * does not), and a one-character term alone being looked up as a range of grams, which assumes
 * the database's collation sorts U+FFFF last (C, C.UTF-8 and ICU collations do; glibc's zh_CN is
 * unverified) and misses the character followed by one beyond U+FFFF (rare 扩展B characters).
 */
function postgresSearch(db: Db): DocumentSearch {
  const having = (gram: string) => sql`EXISTS (SELECT 1 FROM document_grams g WHERE g.gram = ${gram} AND g.document_id = ${documents.id})`;
  const havingPrefix = (char: string) =>
    sql`EXISTS (SELECT 1 FROM document_grams g WHERE g.gram >= ${char} AND g.gram < ${char + LAST} AND g.document_id = ${documents.id})`;

  return {
    async add(doc) {
      const grams = distinctGrams(...fieldsOf(doc));
      if (grams.length === 0) return;
      await db.run(sql`INSERT INTO document_grams (gram, document_id) VALUES ${sql.join(
        grams.map((gram) => sql`(${gram}, ${doc.id})`),
        sql`, `,
      )} ON CONFLICT DO NOTHING`);
    },

    async newest(query, unitId, limit) {
      const terms = searchTerms(query);
      if (terms.length === 0) return null;
      // The bigrams of the longer terms narrow best, and a one-character term among them is left
      // to the text check; only when every term is one character do the grams starting with it narrow.
      const grams = [...new Set(terms.flatMap(termGrams))];
      const narrowing: SQL[] = grams.length > 0 ? grams.map(having) : terms.map(havingPrefix);
      const found: number[] = [];
      // candidates a page at a time, until `limit` pass the text check or none are left
      let before: number | null = null;
      for (;;) {
        const page: Searchable[] = await db.q
          .select({ id: documents.id, title: documents.title, docNumber: documents.docNumber, sourceUnit: documents.sourceUnit, recipients: documents.recipients, draftingUnit: documents.draftingUnit })
          .from(documents)
          .where(and(...narrowing, unitId === null ? undefined : eq(documents.handlingUnitId, unitId), before === null ? undefined : lt(documents.id, before)))
          .orderBy(desc(documents.id))
          .limit(limit);
        for (const doc of page) {
          if (!containsTerms(fieldsOf(doc), terms)) continue;
          found.push(doc.id);
          if (found.length === limit) return found;
        }
        if (page.length < limit) return found;
        before = page.at(-1)!.id;
      }
    },
  };
}
