// `npm run admin -- grant|revoke|list`: roles from the command line, for the first set-up (before
// anyone can send the bot 授权) and for recovery (the last admin locked out).
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { transaction } from '../../db/client';
import { createLogger } from '../logger';
import { ROLE_LABELS, roleFromLabel, systemActor } from '../services/actor';
import { UserError } from '../services/errors';
import { parseIdentity } from '../services/people';

const USAGE = `usage:
  npm run admin -- grant <platform:userId> <role> [unit]   role: ${Object.values(ROLE_LABELS).join(' / ')} (or contact, staff, leader, admin); a 联络员 needs a unit
  npm run admin -- revoke <platform:userId>
  npm run admin -- list`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const [verb, who, roleText, unitName] = process.argv.slice(2);
if (!verb || !['grant', 'revoke', 'list'].includes(verb)) fail(USAGE, 2);
const identity = verb === 'list' ? null : parseIdentity(who ?? '');
if (verb !== 'list' && !identity) fail(`expected platform:userId (as 我是谁 prints it), e.g. lark:ou_123\n${USAGE}`, 2);
const role = verb === 'grant' ? roleFromLabel(roleText ?? '') : undefined;
if (verb === 'grant' && !role) fail(`unknown role "${roleText ?? ''}"\n${USAGE}`, 2);

const config = configOrExit();
const bot = await createBot({ config, log: createLogger('warn', process.stderr) });
const { people, units } = bot.services;
const actor = systemActor('npm run admin');
const line = (p: { name: string; role: keyof typeof ROLE_LABELS | null; unitName: string | null; identities: string[] }) =>
  `${p.identities.join(', ')}\t${p.role ? ROLE_LABELS[p.role] : '无角色'}\t${p.unitName ?? ''}\t${p.name}`;

try {
  if (verb === 'list') {
    const all = people.listWithRoles();
    process.stdout.write(all.length ? `${all.map(line).join('\n')}\n` : '(no one holds a role yet)\n');
  } else if (verb === 'grant') {
    const person = transaction(bot.db, () => people.grant(identity!, undefined, role!, unitName ? units.resolve(unitName).id : null, actor));
    process.stdout.write(`granted: ${line(person)}\n`);
  } else {
    const person = transaction(bot.db, () => people.revoke(identity!, actor));
    process.stdout.write(`revoked: ${line(person)}\n`);
  }
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  await bot.stop();
  fail(error.message, 1);
}
await bot.stop();
