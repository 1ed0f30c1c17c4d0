// `npm run export -- <公文|建议|提案|督办> [year] FILE.xlsx`: a ledger straight to a file.
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { yearOf } from '../lib/dates';
import { createLogger } from '../logger';
import { LEDGER_KINDS, type LedgerKind } from '../services/ledgers';
import { writeLedger } from './ledger-xlsx';

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
const bot = await createBot({ config, log: createLogger('warn', process.stderr) });
const year = yearText ? Number(yearText) : yearOf(bot.services.today());
const sheets = bot.services.ledgers.sheets(kind, year, null);
const written = sheets.map((s) => `${s.name} ${s.rows.length} 行`).join('，');
// handed over: not held here while the workbook is zipped, when the export needs the most memory
await writeLedger(sheets.splice(0), file);
await bot.stop();
process.stdout.write(`已导出 ${year} 年${kind}台账：${written} → ${file}\n`);
