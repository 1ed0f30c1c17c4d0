// `npm run import -- proposals FILE.csv`
import { readFileSync } from 'node:fs';
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { createLogger } from '../logger';
import { systemActor } from '../services/actor';
import { importProposals } from './proposal-import';

const [what, file] = process.argv.slice(2);
if (what !== 'proposals' || !file) {
  process.stderr.write('usage: npm run import -- proposals FILE.csv\n  (CSV with a header row of field names: 编号, 标题, 代表 or 委员, 主办单位, 协办单位, 交办日期, 答复期限, and 类型 when both kinds are mixed)\n');
  process.exit(2);
}
let bytes: Buffer;
try {
  bytes = readFileSync(file);
} catch (error) {
  process.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
  process.exit(2);
}

const config = configOrExit();
const bot = await createBot({ config, log: createLogger('warn', process.stderr) });
const report = await importProposals(bot.services, bytes, systemActor('npm run import'), `${file}:${bot.services.clock.now()}`);
await bot.stop();

const out = [
  ...report.errors.map((e) => `第 ${e.line} 行：${e.message}`),
  ...(report.ignoredColumns.length ? [`未识别的列（已忽略）：${report.ignoredColumns.join('、')}`] : []),
  `导入 ${report.imported} 件；已存在、未改动 ${report.existing} 件；有误未导入 ${report.errors.length} 行。`,
  ...(report.imported === 0 && report.existing > 0 && report.errors.length === 0 ? ['这个文件已经导入过，没有任何改动。'] : []),
  ...(report.notified ? [`已为 ${report.notified} 位承办单位联络员各排好一条交办通知，机器人运行时发出。`] : []),
];
process.stdout.write(`${out.join('\n')}\n`);
process.exit(report.errors.length ? 1 : 0);
