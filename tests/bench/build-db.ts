// Fills a fresh bot database with N 收文 the way years of use would have, but in bulk: raw
// prepared statements in large transactions, FTS rows written alongside exactly as
// registerIncoming writes them, and the counters left where the last registration put them.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { toGrams } from '../../src/services/search-grams';
import { closeBulk, insertUnits, openBulk, sqliteOf } from './bulk';
import { HANDLING_UNITS, incomingDocuments, type DocumentRowValues } from './corpus';

const BATCH = 50_000;

export async function buildDatabase(path: string, count: number, onBatch: (done: number) => void): Promise<void> {
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);

  const unitIds = insertUnits(sqlite, HANDLING_UNITS);
  const insertDoc = sqlite.prepare(`
    INSERT INTO documents (id, reg_no, direction, year, seq, title, doc_number, doc_number_key, source_unit, urgency, doc_date,
      due_date, handling_unit_id, status, assigned_at, closed_at, closed_date, closed_on_time, result, created_at, updated_at)
    VALUES (@id, @reg_no, 'in', @year, @seq, @title, @doc_number, @doc_number_key, @source_unit, @urgency, @doc_date,
      @due_date, @handling_unit_id, @status, @assigned_at, @closed_at, @closed_date, @closed_on_time, @result, @created_at, @created_at)`);
  const insertGrams = sqlite.prepare('INSERT INTO documents_fts (rowid, grams) VALUES (?, ?)');
  const insertBatch = sqlite.transaction((docs: DocumentRowValues[]) => {
    for (const d of docs) {
      insertDoc.run(d);
      insertGrams.run(d.id, toGrams(d.title, d.doc_number, d.source_unit));
    }
  });

  const lastSeq = new Map<number, number>();
  let batch: DocumentRowValues[] = [];
  for (const doc of incomingDocuments(count, unitIds, lastSeq)) {
    batch.push(doc);
    if (batch.length < BATCH && doc.id < count) continue;
    insertBatch(batch);
    batch = [];
    onBatch(doc.id);
    // lets the RSS sampler's timer run between batches
    await yieldToLoop();
  }

  const setCounter = sqlite.prepare("INSERT INTO counters (kind, year, last) VALUES ('SW', ?, ?)");
  sqlite.transaction(() => lastSeq.forEach((last, year) => setCounter.run(year, last)))();
  await closeBulk(db);
}
