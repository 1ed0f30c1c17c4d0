// `npm run admin -- grant|revoke|list`: roles from the command line, for the first set-up (before
// anyone can send the bot 授权) and for recovery (the last admin locked out). `outbox` shows what
// waits to be sent per platform; `outbox drop --platform P` deletes what waits for P (the
// notifications queued during a trial without that messenger, before it is connected), audited.
import { createBot } from '../bot';
import { configOrExit } from '../config';
import { formatLocalDateTime } from '../lib/dates';
import { createLogger } from '../logger';
import { ROLE_LABELS, roleFromLabel, systemActor } from '../services/actor';
import { UserError } from '../services/errors';
import { parseIdentity } from '../services/people';

const USAGE = `usage:
  npm run admin -- grant <platform:userId> <role> [unit] [--name 张三]   role: ${Object.values(ROLE_LABELS).join(' / ')} (or contact, staff, leader, admin); a 联络员 needs a unit
  npm run admin -- revoke <platform:userId>
  npm run admin -- list
  npm run admin -- outbox                               messages waiting to be sent (and given up on), per platform
  npm run admin -- outbox drop --platform <platform>    delete the messages waiting for lark, dingtalk or console`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const PLATFORMS = ['lark', 'dingtalk', 'console'];

const argv = process.argv.slice(2);
// grant … --name 张三: the person's name, which lists and cards show instead of the id
const nameAt = argv.indexOf('--name');
const grantName = nameAt >= 0 ? argv.splice(nameAt, 2)[1] : undefined;
const [verb, who, roleText, unitName] = argv;
if (!verb || !['grant', 'revoke', 'list', 'outbox'].includes(verb)) fail(USAGE, 2);
if (nameAt >= 0 && (verb !== 'grant' || !grantName?.trim() || grantName.startsWith('--'))) fail(`--name goes with grant and takes a name, e.g. --name 张三\n${USAGE}`, 2);
// outbox [drop --platform P]
const outboxArgs = verb === 'outbox' ? process.argv.slice(3) : [];
const drop = outboxArgs[0] === 'drop';
const platformAt = outboxArgs.indexOf('--platform');
const dropPlatform = platformAt >= 0 ? outboxArgs[platformAt + 1] : undefined;
if (verb === 'outbox' && outboxArgs.length > 0) {
  const wellFormed = drop && outboxArgs.length === 3 && platformAt === 1;
  if (!wellFormed) fail(`expected: npm run admin -- outbox drop --platform <${PLATFORMS.join('|')}>\n${USAGE}`, 2);
  if (!PLATFORMS.includes(dropPlatform!)) fail(`unknown platform "${dropPlatform}": one of ${PLATFORMS.join(', ')}\n${USAGE}`, 2);
}
const identity = verb === 'list' || verb === 'outbox' ? null : parseIdentity(who ?? '');
if (verb !== 'list' && verb !== 'outbox' && !identity) fail(`expected platform:userId (as 我是谁 prints it), e.g. lark:ou_123\n${USAGE}`, 2);
const role = verb === 'grant' ? roleFromLabel(roleText ?? '') : undefined;
if (verb === 'grant' && !role) fail(`unknown role "${roleText ?? ''}"\n${USAGE}`, 2);

const config = configOrExit();
const bot = await createBot({ config, log: createLogger('warn', process.stderr) });
const { people, units, outbox, audit } = bot.services;
const actor = systemActor('npm run admin');
const line = (p: { name: string; role: keyof typeof ROLE_LABELS | null; unitName: string | null; identities: string[] }) =>
  `${p.identities.join(', ')}\t${p.role ? ROLE_LABELS[p.role] : '无角色'}\t${p.unitName ?? ''}\t${p.name}`;

try {
  if (verb === 'outbox' && drop) {
    const dropped = await bot.db.tx(async () => {
      const n = await outbox.dropPending(dropPlatform!);
      if (n > 0) await audit.record(actor, '丢弃待发消息', `outbox:${dropPlatform}`, { pending: n }, { pending: 0 });
      return n;
    });
    process.stdout.write(`dropped ${dropped} message(s) waiting for ${dropPlatform}\n`);
  } else if (verb === 'outbox') {
    const rows = await outbox.waitingByPlatform();
    const when = (ms: number | null) => (ms === null ? '' : formatLocalDateTime(ms, config.timezone));
    process.stdout.write(
      rows.length
        ? `platform\twaiting\tgiven up\toldest waiting since\n${rows.map((r) => `${r.platform}\t${r.pending}\t${r.failed}\t${when(r.oldest)}`).join('\n')}\n`
        : '(nothing waiting)\n',
    );
  } else if (verb === 'list') {
    const all = await people.listWithRoles();
    process.stdout.write(all.length ? `${all.map(line).join('\n')}\n` : '(no one holds a role yet)\n');
  } else if (verb === 'grant') {
    const person = await bot.db.tx(async () => people.grant(identity!, grantName?.trim(), role!, unitName ? (await units.resolve(unitName)).id : null, actor));
    process.stdout.write(`granted: ${line(person)}\n`);
  } else {
    const person = await bot.db.tx(() => people.revoke(identity!, actor));
    process.stdout.write(`revoked: ${line(person)}\n`);
  }
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  await bot.stop();
  fail(error.message, 1);
}
await bot.stop();
