// Bulk registration of 建议/提案 from a spreadsheet saved as CSV: the office's ledger moves into
// the bot in one go. Each row is read with the registration command's own fields, aliases and
// checks; a bad row is reported with its line number and the good rows are imported.
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { canonicalField } from '../../commands/kit/fields';
import { validateFields } from '../../commands/kit/validate';
import { registerInput, registerProposal } from '../../commands/proposals';
import type { Actor } from '../services/actor';
import { UserError } from '../services/errors';
import type { Services } from '../services';
import { AlreadyRegistered, type ProposalKind, type ProposalView } from '../services/proposals';
import type { UnitView } from '../services/units';
import { withoutNul } from '../lib/without-nul';

export interface ImportReport {
  imported: number;
  existing: number;
  errors: { line: number; message: string }[];
  ignoredColumns: string[];
  notified: number;
}

/** UTF-8 with or without BOM, or GBK (what Excel in China saves as CSV); without NUL characters, as everything that comes in. */
export function decodeCsv(bytes: Buffer): string {
  return withoutNul(decodeBytes(bytes));
}

function decodeBytes(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gbk');
  }
}

const KIND_COLUMNS = ['类型', '种类', '件别'];
/** Rows per commit; exported so the benchmark's plain-INSERT floor commits the same way. */
export const IMPORT_CHUNK = 500;

function kindOf(value: string | undefined): ProposalKind | null {
  if (!value) return null;
  if (value.includes('建议')) return '建议';
  if (value.includes('提案')) return '提案';
  return null;
}

export async function importProposals(services: Services, bytes: Buffer, actor: Actor, batch: string): Promise<ImportReport> {
  const rows = parse(decodeCsv(bytes), { relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const report: ImportReport = { imported: 0, existing: 0, errors: [], ignoredColumns: [], notified: 0 };
  const [head, ...body] = rows;
  if (!head) return report;
  const headers = head.record;
  const kindColumn = headers.findIndex((h) => KIND_COLUMNS.includes(h));
  const fieldsOf = (kind: ProposalKind) => Object.keys(registerProposal[kind].fields.shape);
  const columns = (kind: ProposalKind) => headers.map((h) => canonicalField(fieldsOf(kind), h));
  const byKind = { 建议: columns('建议'), 提案: columns('提案') };
  report.ignoredColumns = headers.filter((_, i) => i !== kindColumn && byKind.建议[i] === null && byKind.提案[i] === null);
  // without a 类型 column, a 代表 column means 建议 and a 委员 column 提案
  const defaultKind: ProposalKind | null = byKind.建议.includes('代表') ? '建议' : byKind.提案.includes('委员') ? '提案' : null;

  const imported: ProposalView[] = [];
  // each unit looked up once for the whole file (a refusal for an unknown name is not cached)
  const units = new Map<string, UnitView>();
  const resolveUnit = async (name: string): Promise<UnitView> => {
    let unit = units.get(name);
    if (!unit) units.set(name, (unit = await services.units.resolve(name)));
    return unit;
  };
  // rows commit in chunks: one commit per row is most of the cost, one for the whole file would
  // hold the write lock long enough to keep the running bot from acknowledging events
  for (let start = 0; start < body.length; start += IMPORT_CHUNK) {
    await services.db.tx(async () => {
      for (const row of body.slice(start, start + IMPORT_CHUNK)) await importRow(row);
    });
  }
  if (imported.length) report.notified = await services.db.tx(() => services.proposals.announce(imported, batch));
  return report;

  async function importRow({ record, info }: { record: string[]; info: { lines: number } }): Promise<void> {
    const fail = (message: string) => report.errors.push({ line: info.lines, message });
    const kind = kindColumn >= 0 ? kindOf(record[kindColumn]) : defaultKind;
    if (!kind) {
      fail(kindColumn >= 0 ? `「类型」应为 建议 或 提案（得到「${record[kindColumn] ?? ''}」）` : '无法判断是建议还是提案：请加一列「类型」，或用「代表」/「委员」列');
      return;
    }
    const values: Record<string, string> = {};
    byKind[kind].forEach((field, i) => {
      if (field && record[i]) values[field] = record[i]!;
    });
    const validated = validateFields(registerProposal[kind], values, await services.dateContext());
    if (!validated.ok) {
      fail(validated.error);
      return;
    }
    const input = registerInput(kind, validated.data, services.today());
    try {
      // a savepoint: a refused row leaves nothing, the chunk goes on
      imported.push(await services.db.tx(() => services.proposals.register(input, actor, { notify: false, resolveUnit })));
      report.imported++;
    } catch (error) {
      if (error instanceof AlreadyRegistered) report.existing++;
      else if (error instanceof UserError) fail(error.message);
      else throw error;
    }
  }
}
