// build-db.ts for PostgreSQL: the same 收文 (incomingDocuments, same seed, so a keyword matches
// the same share of documents on either dialect), their bigrams in document_grams exactly as
// document-search.ts adds them on registration, the counters where the last registration left
// them and the id sequence after the last document; then VACUUM (ANALYZE), as autovacuum would
// have done long before a real database held this much.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type pg from 'pg';
import { distinctGrams } from '../../src/services/search-grams';
import { insertColumns, insertUnitsPg, openPgBulk, type Column } from './bulk-pg';
import { progress } from './cli';
import { HANDLING_UNITS, incomingDocuments, type DocumentRowValues } from './corpus';

// rows per statement: big enough that parsing, planning and the round trip vanish, small enough
// that the parameters (a few MB of array text) stay small
export const DOCUMENTS_PER_STATEMENT = 20_000;
export const GRAMS_PER_STATEMENT = 50_000;

/** build-db.ts's columns; direction and updated_at follow from them. */
const DOCUMENT_COLUMNS = [
  ['id', 'bigint'], ['reg_no', 'text'], ['year', 'bigint'], ['seq', 'bigint'], ['title', 'text'], ['doc_number', 'text'],
  ['doc_number_key', 'text'], ['source_unit', 'text'], ['urgency', 'text'], ['doc_date', 'text'], ['due_date', 'text'],
  ['handling_unit_id', 'bigint'], ['status', 'text'], ['assigned_at', 'bigint'], ['closed_at', 'bigint'], ['closed_date', 'text'],
  ['closed_on_time', 'integer'], ['result', 'text'], ['created_at', 'bigint'],
] as const satisfies readonly (readonly [keyof DocumentRowValues, Column[1]])[];
const GRAM_COLUMNS: readonly Column[] = [['gram', 'text'], ['document_id', 'bigint']];

/** One statement's documents and their grams, as columns. */
function columnsOf(docs: readonly DocumentRowValues[]): { documents: unknown[][]; grams: [string[], number[]] } {
  const documents = DOCUMENT_COLUMNS.map(([name]) => docs.map((d) => d[name]));
  const grams: [string[], number[]] = [[], []];
  for (const d of docs) {
    for (const gram of distinctGrams(d.title, d.doc_number, d.source_unit)) {
      grams[0].push(gram);
      grams[1].push(d.id);
    }
  }
  return { documents, grams };
}

/** One batch's statements, one after another (documents before the grams that reference them). */
async function writeBatch(client: pg.ClientBase, documents: unknown[][], grams: [string[], number[]]): Promise<void> {
  await insertColumns(client, 'documents', DOCUMENT_COLUMNS, documents, { direction: "'in'", updated_at: 'created_at' });
  for (let at = 0; at < grams[0].length; at += GRAMS_PER_STATEMENT) {
    await insertColumns(client, 'document_grams', GRAM_COLUMNS, [grams[0].slice(at, at + GRAMS_PER_STATEMENT), grams[1].slice(at, at + GRAMS_PER_STATEMENT)]);
  }
}

/**
 * document_grams's constraints (its key, its reference to documents) are dropped for the load
 * and made again after it, as pg_restore does: tens of millions of rows each checked against
 * the documents and merged into a B-tree one by one take nearly twice as long as one sort and
 * one join (measured: 30 s against 18 s for 100,000 documents, 3 million bigram rows). They are read from the catalog and made again as they were, so the table ends as the
 * migration left it. Returns what puts them back.
 */
async function setConstraintsAside(client: pg.ClientBase, table: string): Promise<() => Promise<void>> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    // the key before the reference: a reference to this table would need it (none does today)
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY contype = 'f', conname`,
    [table],
  );
  for (const c of [...rows].reverse()) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${c.name}`);
  return async () => {
    for (const c of rows) await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${c.name} ${c.definition}`);
  };
}

/** Fills the fresh database at `url` with `count` 收文; onBatch is told how many are written so far. */
export async function buildPgDatabase(url: string, count: number, onBatch: (done: number) => void): Promise<void> {
  const bulk = await openPgBulk(url);
  try {
    const { client } = bulk;
    const unitIds = await insertUnitsPg(client, HANDLING_UNITS);
    const restoreGramConstraints = await setConstraintsAside(client, 'document_grams');
    const lastSeq = new Map<number, number>();
    // The next batch is generated here while the server writes the one before: the two cores
    // work side by side. At most two batches are held in memory.
    let writing: { promise: Promise<void>; done: number } | null = null;
    let batch: DocumentRowValues[] = [];
    for (const doc of incomingDocuments(count, unitIds, lastSeq)) {
      batch.push(doc);
      if (batch.length < DOCUMENTS_PER_STATEMENT && doc.id < count) continue;
      const { documents, grams } = columnsOf(batch);
      batch = [];
      if (writing) {
        await writing.promise;
        onBatch(writing.done);
      }
      writing = { promise: writeBatch(client, documents, grams), done: doc.id };
      // awaited once the next batch is ready; a failure meanwhile must not count as unhandled
      writing.promise.catch(() => undefined);
      // lets the progress line and any sampler's timer run between batches
      await yieldToLoop();
    }
    if (writing) {
      await writing.promise;
      onBatch(writing.done);
    }

    progress(`indexing ${count.toLocaleString('en')} documents' bigrams\n`);
    await restoreGramConstraints();

    const years = [...lastSeq.keys()];
    await insertColumns(client, 'counters', [['year', 'bigint'], ['last', 'bigint']], [years, years.map((y) => lastSeq.get(y)!)], { kind: "'SW'" });
    // explicit ids left the identity sequence at 1: the bot's first registration would take id 1
    await client.query("SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents))");
    // statistics for the planner, and the visibility map set so that the bigram key is read by
    // index-only scans from the first query: autovacuum would have done both long before a real
    // database reached a million documents, and must not start on the tables while they are timed
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await bulk.close();
  }
}
