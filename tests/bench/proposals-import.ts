// The import half of the proposals benchmark, in a process of its own as `npm run import` is:
// a fresh database with the units and their contacts defined, the spreadsheet imported end to
// end (decoding, parsing, each row checked and registered, the contacts' notices queued), then
// the same file again, which must change nothing. Beside it, the floor: the same rows decoded,
// parsed and written with plain INSERTs, committed in the import's own chunks: fewer commits
// would make the floor cheaper only by doing what the import must not (hold the write lock).
//   argv: <database path> <csv path>
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { openDatabase } from '../../db/client';
import { decodeCsv, IMPORT_CHUNK, importProposals } from '../../src/jobs/proposal-import';
import { addMonths } from '../../src/lib/dates';
import { systemActor } from '../../src/services/actor';
import { formatRegNo } from '../../src/services/numbering';
import { KIND_PREFIX, type ProposalKind } from '../../src/services/proposals';
import { startBot } from './bot-harness';
import { contactSeeds, insertPeople, insertUnits, sqliteOf } from './bulk';
import { replyWithRows } from './child';
import { HANDLING_UNITS, randomPersonName, seededRandom } from './corpus';
import { row, type Row } from './report';

const CONTACTS_PER_UNIT = 2;
const [dbPath, csvPath] = process.argv.slice(2);

async function seconds<T>(fn: () => T | Promise<T>): Promise<{ value: T; s: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, s: (performance.now() - started) / 1000 };
}

// what an import leaves that both must agree on: each item's number, title, deadline and units
const LEDGER = `
  SELECT p.reg_no || '|' || p.title || '|' || p.due_date || '|' || u.name || '|' || pu.lead
  FROM proposals p JOIN proposal_units pu ON pu.proposal_id = p.id JOIN units u ON u.id = pu.unit_id
  ORDER BY p.reg_no, u.name`;

/** Plain INSERTs of what each row says, into a database of its own. */
async function bareImport(path: string, bytes: Buffer): Promise<{ s: number; ledger: string[] }> {
  const db = await openDatabase(path);
  const sqlite = sqliteOf(db);
  const unitIds = new Map(insertUnits(sqlite, HANDLING_UNITS).map((id, i) => [HANDLING_UNITS[i]!, id]));
  const item = sqlite.prepare(`
    INSERT INTO proposals (reg_no, kind, year, number, title, proposers, assigned_date, due_date, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?)`);
  const unit = sqlite.prepare('INSERT INTO proposal_units (proposal_id, unit_id, lead) VALUES (?, ?, ?)');
  const chunk = sqlite.transaction((rows: string[][]) => {
    for (const r of rows) {
      const [kind, number, title, proposers, lead, co, assigned] = r as [ProposalKind, string, string, string, string, string, string];
      const year = Number(assigned.slice(0, 4));
      const regNo = formatRegNo(KIND_PREFIX[kind], year, Number(number));
      const id = item.run(regNo, kind, year, Number(number), title, proposers, assigned, addMonths(assigned, 3), Date.now(), Date.now()).lastInsertRowid;
      [lead, ...co.split('、').filter(Boolean)].forEach((name, i) => unit.run(id, unitIds.get(name), Number(i === 0)));
    }
  });
  const { s } = await seconds(() => {
    const [, ...rows] = parse(decodeCsv(bytes), { skip_empty_lines: true, trim: true }) as string[][];
    for (let i = 0; i < rows.length; i += IMPORT_CHUNK) chunk.immediate(rows.slice(i, i + IMPORT_CHUNK));
  });
  const ledger = sqlite.prepare(LEDGER).pluck().all() as string[];
  await db.close();
  return { s, ledger };
}

async function main(): Promise<Row[]> {
  const { bot } = await startBot(dbPath!);
  const sqlite = sqliteOf(bot.db);
  const random = seededRandom(7);
  insertPeople(sqlite, contactSeeds(insertUnits(sqlite, HANDLING_UNITS), CONTACTS_PER_UNIT, 'lark', () => randomPersonName(random)));
  const bytes = readFileSync(csvPath!);
  const rows = (parse(decodeCsv(bytes), { skip_empty_lines: true }) as unknown[]).length - 1;
  const written = () => sqlite.prepare('SELECT (SELECT count(*) FROM proposals) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM audit_log)').pluck().get() as number;

  const actor = systemActor('npm run import');
  const first = await seconds(() => importProposals(bot.services, bytes, actor, `${csvPath}:1`));
  if (first.value.imported !== rows || first.value.errors.length) throw new Error(`import: ${JSON.stringify({ ...first.value, errors: first.value.errors.slice(0, 3) })}`);
  const before = written();
  const again = await seconds(() => importProposals(bot.services, bytes, actor, `${csvPath}:2`));
  if (again.value.existing !== rows) throw new Error(`re-import: ${JSON.stringify({ ...again.value, errors: again.value.errors.slice(0, 3) })}`);
  const changed = written() - before + again.value.imported;
  const ledger = sqlite.prepare(LEDGER).pluck().all() as string[];
  await bot.stop();
  const bare = await bareImport(`${dbPath}.bare`, bytes);
  // a floor that wrote something else would be no floor
  const differs = ledger.findIndex((line, i) => line !== bare.ledger[i]);
  if (differs >= 0 || ledger.length !== bare.ledger.length) {
    throw new Error(`the plain INSERTs left another ledger than the import: ${bare.ledger.length} vs ${ledger.length} lines, first difference ${bare.ledger[differs]} vs ${ledger[differs]}`);
  }

  return [
    row(`import ${rows.toLocaleString('en')} rows (GBK CSV), end to end`, first.s, 's', { target: 5, baseline: bare.s }),
    row('rows imported', first.value.imported, 'rows'),
    row('unit contacts notified, one message each', first.value.notified, 'messages'),
    row('re-import of the same file', again.s, 's'),
    row('rows written by the re-import', changed, 'rows', { target: 0 }),
  ];
}

replyWithRows(main);
