// A ledger as an .xlsx workbook: one sheet per kind, Chinese headers in bold, the header row
// frozen, dates as real spreadsheet dates (sortable, filterable) rather than text.
import writeXlsxFile, { type Row, type SheetData } from 'write-excel-file/node';
import type { LedgerSheet } from '../services/ledgers';

/**
 * The sheet's cells as write-excel-file takes them: plain values, not cell objects (a
 * 100,000-row ledger has well over a million cells), the ledger's own text and numbers as
 * they are, and one Date per day shared by every cell of that day.
 */
function sheetData(sheet: LedgerSheet, day: (date: string) => Date): SheetData {
  const dateColumns = sheet.columns.flatMap((c, i) => (c.type === 'date' ? [i] : []));
  const data: SheetData = [sheet.columns.map((c) => ({ value: c.header, fontWeight: 'bold' as const }))];
  for (const row of sheet.rows) {
    // a copy: the caller's rows keep their dates as text
    const cells: Row = row.slice();
    for (const i of dateColumns) if (row[i]) cells[i] = day(row[i] as string);
    data.push(cells);
  }
  return data;
}

/**
 * Writes the workbook. Not an async function on purpose: one would hold `sheets` until the file
 * is written, and the rows (tens of MB for a year of 督办) could not go while the sheet's XML is
 * zipped, which is when the export needs the most memory. Callers hand the sheets over.
 */
export function writeLedger(sheets: LedgerSheet[], filePath: string): Promise<void> {
  const days = new Map<string, Date>();
  const day = (date: string) => {
    let value = days.get(date);
    if (!value) {
      const [y, m, d] = date.split('-').map(Number);
      value = new Date(Date.UTC(y!, m! - 1, d!));
      days.set(date, value);
    }
    return value;
  };
  // every file's XML is made here, at once; toFile then encodes, zips and writes them
  const workbook = writeXlsxFile(
    sheets.map((s) => ({ sheet: s.name, columns: s.columns.map((c) => ({ width: c.width })), stickyRowsCount: 1, dateFormat: 'yyyy-mm-dd', data: sheetData(s, day) })),
  );
  // V8 keeps the subject of the last successful regexp match (for the legacy RegExp.input), and
  // write-excel-file's last one is a whole copy of the sheet's XML: 46 MB for 100,000 rows, held
  // through the zipping and after it, until some other regexp matches. This one releases it.
  /^/.test('');
  return workbook.toFile(filePath);
}
