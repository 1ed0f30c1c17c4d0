// `npm run export -- <公文|建议|提案|督办> [year] FILE.xlsx`: a ledger straight to a file, from the
// configured database (DATABASE_URL's PostgreSQL, else the SQLite file at DATABASE_PATH).
import { configOrExit } from '../config';
import { localDateOf, yearOf } from '../lib/dates';
import { LEDGER_KINDS, type LedgerKind } from '../services/ledgers';
import { makeLedgerFile } from './ledger-file';

const USAGE = `usage: npm run export -- <${LEDGER_KINDS.join('|')}> [year] FILE.xlsx`;
const args = process.argv.slice(2);
const kind = args[0] as LedgerKind;
const file = args.at(-1);
const yearText = args.length === 3 ? args[1] : undefined;
if (!LEDGER_KINDS.includes(kind) || args.length < 2 || args.length > 3 || !file?.endsWith('.xlsx') || (yearText !== undefined && !/^\d{4}$/.test(yearText))) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = configOrExit();
const year = yearText ? Number(yearText) : yearOf(localDateOf(Date.now(), config.timezone));
try {
  const made = await makeLedgerFile({ database: config.database, kind, year, unitId: null, filePath: file });
  const written = made.sheets.map((s) => `${s.name} ${s.rows} 行`).join('，');
  process.stdout.write(`已导出 ${year} 年${kind}台账：${written} → ${file}\n`);
} catch (err) {
  process.stderr.write(`导出失败：${(err as Error).message}\n`);
  process.exit(1);
}
