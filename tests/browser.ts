// The console under test, and the Chromium that drives it where there is one. The console's
// HTTP-level tests need only the server; its browser tests find a Chromium (CHROMIUM_PATH, then
// Debian's /usr/bin/chromium, then /usr/bin/chromium-headless-shell) and are skipped with one line
// when there is none, except under CI=true, where a missing browser fails the run.
import { accessSync, constants, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { makeBot, type TestBot } from './helpers';

export const NO_CHROMIUM = 'no Chromium found (set CHROMIUM_PATH, or on Debian/Ubuntu: apt-get install chromium)';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'];
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to drive, or null when there is none; a CHROMIUM_PATH that names no executable is a misconfiguration and throws. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!executable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file`);
    return configured;
  }
  return CANDIDATES.find(executable) ?? null;
}

/**
 * Launches Chromium headless. Its environment leaves out libfaketime (LD_PRELOAD, FAKETIME*):
 * Chromium aborts under it, and the suite may run under `faketime`; the bot's clock is the test's own.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME')),
  );
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, env });
}

export interface ConsoleUnderTest {
  t: TestBot;
  /** http://127.0.0.1:port of the running server */
  base: string;
  /** the sign-in link the bot sends someone, pointed at the server under test */
  linkFor(who: string): Promise<string>;
}

/**
 * A bot serving the console on a free loopback port, with a unit, a leader, a staff member, two
 * incoming documents (SW-2026-0001 and -0002), a supervision item and a group chat the bot has seen.
 */
export async function startConsole(): Promise<ConsoleUnderTest> {
  const t = await makeBot();
  await t.bot.start({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${t.bot.port()}`;
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('授权 console:leader 角色=领导');
  await t.say('授权 console:staff 角色=员工');
  await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 紧急程度=特急 承办单位=应急局 办理时限=2026-11-20 已逾期');
  await t.say('收文登记 标题=关于开展安全生产大检查的通知 来文单位=市安委会 承办单位=应急局 办理时限=月底');
  await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:leader 牵头单位=应急局 时限=2026-12-31');
  await t.say('帮助', 'console:staff', { id: 'oc_office', type: 'group', title: '县政府办公室工作群' });
  return {
    t,
    base,
    async linkFor(who) {
      const reply = await t.say('管理后台', who);
      const token = /token=([^\s]+)/.exec(reply)![1]!;
      return `${base}/console/login?token=${token}`;
    },
  };
}
