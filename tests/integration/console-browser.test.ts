// The web console in a real headless Chromium (playwright-core): the dashboard drawn with its
// charts, a click that changes a setting the bot honours, a download, what people typed shown as
// text, and no page breaking its Content-Security-Policy. Skipped, with one line saying so, where
// there is no Chromium; under CI=true a missing Chromium fails the run. The checks that need no
// browser are in console-http.test.ts.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, NO_CHROMIUM, startConsole, type ConsoleUnderTest } from '../browser';

const chromiumPath = findChromium();
if (!chromiumPath) {
  if (process.env.CI === 'true') throw new Error(`console browser tests cannot run under CI=true: ${NO_CHROMIUM}`);
  console.warn(`console browser tests skipped: ${NO_CHROMIUM}`);
}

describe.skipIf(!chromiumPath)('the console in a browser', () => {
  let c: ConsoleUnderTest;
  let browser: Browser;
  /**
   * Console errors and uncaught exceptions of every page: a CSP violation is a console error. The
   * 404 of the /favicon.ico Chromium asks for by itself is left out: the server has none.
   */
  const problems: string[] = [];

  beforeAll(async () => {
    c = await startConsole();
    browser = await launchChromium(chromiumPath!);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await c?.t.close();
  });
  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  async function signIn(who: string): Promise<Page> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('console', (m) => void (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && problems.push(`${page.url()}: ${m.text()}`)));
    page.on('pageerror', (e) => void problems.push(`${page.url()}: ${e.message}`));
    await page.goto(await c.linkFor(who));
    expect(page.url()).toBe(`${c.base}/console/`);
    return page;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const file = join(c.t.dir, name);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(file, join('docs', name));
  }

  it('draws the dashboard with its charts, from the bot’s link', async () => {
    const page = await signIn('console:admin');
    expect(await page.textContent('main')).toContain('县应急管理局');
    await page.waitForSelector('#chart-weekly canvas');
    await page.waitForSelector('#chart-units canvas');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'console-dashboard.png');
  });

  it('enables a chat’s command group by a click, and the bot honours it at once, audited', async () => {
    expect(await c.t.say('公文查询 防汛', 'console:staff', { id: 'oc_office', type: 'group' })).toBe(''); // closed, notice already given
    const page = await signIn('console:admin');
    await page.goto(`${c.base}/console/chats`);
    await page.click('tr[data-chat="oc_office"] button:has-text("公文")');
    expect(await page.textContent('.notice.ok')).toContain('已开启「公文」');
    expect(await c.t.say('公文查询 防汛', 'console:staff', { id: 'oc_office', type: 'group' })).toContain('SW-2026-0001');
    const [audit] = await c.t.rows("SELECT actor, chat FROM audit_log WHERE action = '本群启用' ORDER BY id");
    expect(audit).toEqual({ actor: 'console:admin', chat: 'web:console' });
  });

  it('shows a ledger whose 导出 Excel link downloads the workbook', async () => {
    const page = await signIn('console:admin');
    await page.goto(`${c.base}/console/ledgers/${encodeURIComponent('公文')}`);
    expect(await page.textContent('main')).toContain('关于做好防汛工作的通知');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'console-ledger.png');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=导出 Excel')]);
    expect(download.suggestedFilename()).toBe('公文台账-2026.xlsx');
    expect(await download.failure()).toBeNull();
  });

  it('shows what people typed as text, and runs none of it', async () => {
    await c.t.say('收文登记 标题=“<script>alert(1)</script><img src=x onerror=alert(2)>” 来文单位=某单位');
    const page = await signIn('console:admin');
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    await page.goto(`${c.base}/console/ledgers/${encodeURIComponent('公文')}`);
    expect(await page.textContent('main')).toContain('<script>alert(1)</script>');
    expect(await page.$('main img')).toBeNull();
    expect(dialogs).toEqual([]);
  });
});
