// The web console end to end in a real headless browser (playwright-core driving Debian's
// chromium): sign-in by a link from the bot, the figures, a change the bot honours, an export,
// and the refusals.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { weekOf } from '../../src/services/stats';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
let browser: Browser;
let base: string;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

beforeAll(async () => {
  t = await makeBot();
  await t.bot.start({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${t.bot.port()}`;
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('授权 console:leader 角色=领导');
  await t.say('授权 console:staff 角色=员工');
  await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 紧急程度=特急 承办单位=应急局 办理时限=2026-11-20');
  await t.say('收文登记 标题=关于开展安全生产大检查的通知 来文单位=市安委会 承办单位=应急局 办理时限=月底');
  await t.say('督办新建 标题=推进老旧小区改造 批示领导=console:leader 牵头单位=应急局 时限=2026-12-31');
  await t.say('帮助', 'console:staff', { id: 'oc_office', type: 'group', title: '县政府办公室工作群' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

/** The sign-in link the bot sends, pointed at the server under test. */
async function linkFor(who: string): Promise<string> {
  const reply = await t.say('管理后台', who);
  const token = /token=([^\s]+)/.exec(reply)![1]!;
  return `${base}/console/login?token=${token}`;
}

async function signIn(who: string): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(await linkFor(who));
  return page;
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(t.dir, name);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS) copyFileSync(file, join('docs', name));
}

describe('signing in', () => {
  it('opens the dashboard from the bot’s link, with the figures of the statistics service', async () => {
    const page = await signIn('console:admin');
    expect(page.url()).toBe(`${base}/console/`);
    const report = t.bot.services.stats.report(weekOf(t.bot.services.today()), systemActor('test'));
    expect(await page.textContent('[data-figure="收文"]')).toBe(`${report.current.documents.received} 件`);
    expect(await page.textContent('[data-figure="新立督办"]')).toBe(`${report.current.supervision.created} 件`);
    expect(await page.textContent('main')).toContain('县应急管理局');
    await page.waitForSelector('#chart-weekly canvas');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'zw_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'console-dashboard.png');
  });

  it('refuses a link that was used, or has expired, or was tampered with', async () => {
    const link = await linkFor('console:admin');
    const page = await (await browser.newContext()).newPage();
    await page.goto(link);
    expect(page.url()).toBe(`${base}/console/`);
    const again = await page.goto(link);
    expect(again!.status()).toBe(403);
    expect(await page.textContent('main')).toContain('已经用过');
    const late = await linkFor('console:admin');
    t.clock.advance(11 * 60_000);
    expect((await page.goto(late))!.status()).toBe(403);
    expect(await page.textContent('main')).toContain('已过期');
    expect((await page.goto(`${late.slice(0, -3)}abc`))!.status()).toBe(403);
    expect(await t.say('管理后台', 'console:staff')).toMatch(/不能使用/);
    expect(await t.say('管理后台', 'console:admin', { id: 'oc_office', type: 'group' })).not.toContain('token='); // never into a group
  });

  it('shows no page without a session', async () => {
    for (const path of ['/console/', '/console/ledgers/公文', '/console/people', '/console/audit']) {
      const res = await fetch(`${base}${encodeURI(path)}`);
      expect(res.status).toBe(401);
    }
  });
});

describe('changing settings', () => {
  it('enables a chat’s command group, and the bot honours it at once, audited', async () => {
    expect(await t.say('公文查询 防汛', 'console:staff', { id: 'oc_office', type: 'group' })).toBe(''); // closed, notice already given
    const page = await signIn('console:admin');
    await page.goto(`${base}/console/chats`);
    await page.click('tr[data-chat="oc_office"] button:has-text("公文")');
    expect(await page.textContent('.notice.ok')).toContain('已开启「公文」');
    expect(await t.say('公文查询 防汛', 'console:staff', { id: 'oc_office', type: 'group' })).toContain('SW-2026-0001');
    const audit = t.bot.db.$client.prepare("SELECT actor, chat FROM audit_log WHERE action = '本群启用'").get();
    expect(audit).toEqual({ actor: 'console:admin', chat: 'web:console' });
  });

  it('exports a ledger as a workbook', async () => {
    const page = await signIn('console:admin');
    await page.goto(`${base}/console/ledgers/${encodeURIComponent('公文')}`);
    expect(await page.textContent('main')).toContain('关于做好防汛工作的通知');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'console-ledger.png');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=导出 Excel')]);
    const file = join(t.dir, 'download.xlsx');
    await download.saveAs(file);
    const [incoming] = await readXlsxFile(file);
    expect(incoming!.data.slice(1).map((r) => r[0])).toEqual(['SW-2026-0001', 'SW-2026-0002']);
  });

  it('refuses a change without the CSRF token, and any change by a leader', async () => {
    const admin = await signIn('console:admin');
    const refused = await admin.request.post(`${base}/console/calendar`, { form: { date: '2027-02-08', kind: '休' } });
    expect(refused.status()).toBe(403);
    const leader = await signIn('console:leader');
    expect(await leader.textContent('main')).toContain('仪表盘');
    const csrf = await leader.getAttribute('input[name="_csrf"]', 'value');
    const denied = await leader.request.post(`${base}/console/calendar`, { form: { _csrf: csrf!, date: '2027-02-08', kind: '休' } });
    expect(denied.status()).toBe(403);
    expect((await leader.goto(`${base}/console/people`))!.status()).toBe(403);
    expect(t.bot.services.calendar.overrideList()).toEqual([]);
    const csrfAdmin = await admin.getAttribute('input[name="_csrf"]', 'value');
    const allowed = await admin.request.post(`${base}/console/calendar`, { form: { _csrf: csrfAdmin!, date: '2027-02-08', kind: '休' }, maxRedirects: 0 });
    expect(allowed.status()).toBe(303);
    expect(t.bot.services.calendar.overrideList()).toEqual([{ date: '2027-02-08', workday: false }]);
  });

  it('sends a strict Content-Security-Policy and escapes what people typed', async () => {
    await t.say('收文登记 标题=“<script>alert(1)</script><img src=x onerror=alert(2)>” 来文单位=某单位');
    const page = await signIn('console:admin');
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    const res = await page.goto(`${base}/console/ledgers/${encodeURIComponent('公文')}`);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.textContent('main')).toContain('<script>alert(1)</script>');
    expect(await page.$('main img')).toBeNull();
    expect(dialogs).toEqual([]);
  });
});
