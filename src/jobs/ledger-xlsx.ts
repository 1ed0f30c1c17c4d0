// A ledger as an .xlsx workbook: one sheet per kind, Chinese headers in bold, the header row
// frozen, dates as real spreadsheet dates (sortable, filterable) rather than text.
import writeXlsxFile, { type Sheet } from 'write-excel-file/node';
import type { Cell, LedgerSheet } from '../services/ledgers';

// plain values, not cell objects: a 100,000-row ledger has well over a million cells
function cell(value: Cell, type: LedgerSheet['columns'][number]['type']): string | number | Date | null {
  if (value === null || value === '') return null;
  if (type === 'date') {
    const [y, m, d] = String(value).split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, d!));
  }
  return type === 'number' ? Number(value) : String(value);
}

export async function writeLedger(sheets: LedgerSheet[], filePath: string): Promise<void> {
  const workbook: Sheet<never>[] = sheets.map((s) => ({
    sheet: s.name,
    columns: s.columns.map((c) => ({ width: c.width })),
    stickyRowsCount: 1,
    dateFormat: 'yyyy-mm-dd',
    data: [s.columns.map((c) => ({ value: c.header, fontWeight: 'bold' as const })), ...s.rows.map((row) => row.map((v, i) => cell(v, s.columns[i]!.type)))],
  }));
  await writeXlsxFile(workbook).toFile(filePath);
}
