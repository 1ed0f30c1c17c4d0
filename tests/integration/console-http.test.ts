// The web console over plain HTTP (fetch against the real server on a free port; no browser):
// sign-in by a link from the bot, the session cookie, the refusals (no session, CSRF, leaders,
// used or expired links), the security headers, escaping and an export. What needs a browser
// (drawing, clicking) is in console-browser.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { weekOf } from '../../src/services/stats';
import { startConsole, type ConsoleUnderTest } from '../browser';

let c: ConsoleUnderTest;

beforeAll(async () => {
  c = await startConsole();
});
afterAll(async () => {
  await c?.t.close();
});

/** A signed-in visitor: the session cookie the sign-in link set, sent with every request. */
interface Visitor {
  cookie: string;
  get(path: string): Promise<Response>;
  /** posts a form; `csrf: true` adds the token of the visitor's dashboard */
  post(path: string, form: Record<string, string>, options?: { csrf?: boolean }): Promise<Response>;
}

const url = (path: string, at: ConsoleUnderTest = c) => new URL(path, at.base);

async function signIn(who: string, at: ConsoleUnderTest = c): Promise<Visitor> {
  const res = await fetch(await at.linkFor(who), { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.getSetCookie().find((h) => h.startsWith('zw_console='))!.split(';')[0]!;
  const get = (path: string) => fetch(url(path, at), { headers: { cookie }, redirect: 'manual' });
  return {
    cookie,
    get,
    async post(path, form, options = {}) {
      const body = new URLSearchParams(form);
      if (options.csrf) body.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(await (await get('/console/')).text())![1]!);
      return fetch(url(path, at), { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
    },
  };
}

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie from the bot’s link and opens the dashboard with the statistics service’s figures', async () => {
    const res = await fetch(await c.linkFor('console:admin'), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/');
    const setCookie = res.headers.getSetCookie().find((h) => h.startsWith('zw_console='))!;
    expect(setCookie).toMatch(/; Path=\/console(;|$)/);
    expect(setCookie).toMatch(/; HttpOnly(;|$)/);
    expect(setCookie).toMatch(/; SameSite=Strict(;|$)/);
    const dashboard = await fetch(`${c.base}/console/`, { headers: { cookie: setCookie.split(';')[0]! } });
    expect(dashboard.status).toBe(200);
    const body = await dashboard.text();
    const report = await c.t.bot.services.stats.report(weekOf(c.t.bot.services.today()), systemActor('test'));
    expect(body).toContain(`data-figure="收文">${report.current.documents.received} 件<`);
    expect(body).toContain(`data-figure="新立督办">${report.current.supervision.created} 件<`);
    expect(body).toContain('县应急管理局');
  });

  it('refuses a link that was used, or has expired, or was tampered with, and gives none to staff or into a group', async () => {
    const link = await c.linkFor('console:admin');
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(await again.text()).toContain('已经用过');
    const late = await c.linkFor('console:admin');
    c.t.clock.advance(11 * 60_000);
    const expired = await fetch(late, { redirect: 'manual' });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('已过期');
    const tampered = await fetch(`${late.slice(0, -3)}abc`, { redirect: 'manual' });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('链接无效');
    expect(await c.t.say('管理后台', 'console:staff')).toMatch(/不能使用/);
    expect(await c.t.say('管理后台', 'console:admin', { id: 'oc_office', type: 'group' })).not.toContain('token='); // never into a group
  });

  it('shows no page without a session, nor with a made-up one', async () => {
    for (const path of ['/console/', '/console/ledgers/公文', '/console/people', '/console/audit', '/console/export/公文']) {
      expect((await fetch(url(path), { redirect: 'manual' })).status).toBe(401);
      expect((await fetch(url(path), { headers: { cookie: 'zw_console=made-up' }, redirect: 'manual' })).status).toBe(401);
    }
  });
});

describe('changes and rights', () => {
  it('refuses a change without the CSRF token, and any change by a leader', async () => {
    const admin = await signIn('console:admin');
    expect((await admin.post('/console/calendar', { date: '2027-02-08', kind: '休' })).status).toBe(403);
    const leader = await signIn('console:leader');
    const dashboard = await leader.get('/console/');
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('仪表盘');
    expect((await leader.post('/console/calendar', { date: '2027-02-08', kind: '休' }, { csrf: true })).status).toBe(403);
    expect((await leader.get('/console/people')).status).toBe(403);
    expect(await c.t.bot.services.calendar.overrideList()).toEqual([]);
    const allowed = await admin.post('/console/calendar', { date: '2027-02-08', kind: '休' }, { csrf: true });
    expect(allowed.status).toBe(303);
    expect(await c.t.bot.services.calendar.overrideList()).toEqual([{ date: '2027-02-08', workday: false }]);
  });

  it('offers a leader, by the rights table the router enforces, no admin page and no form that changes anything', async () => {
    const leader = await (await (await signIn('console:leader')).get('/console/')).text();
    expect(leader).toContain('（领导，只读）');
    expect(leader).not.toContain('href="/console/people"');
    const admin = await (await (await signIn('console:admin')).get('/console/')).text();
    expect(admin).toContain('href="/console/people"');
    expect(admin).not.toContain('只读');
  });

  it('lets a leader log out however the path is written, and refuses their changes however it is written', async () => {
    const leader = await signIn('console:leader');
    expect((await leader.post('/console/CALENDAR', { date: '2027-02-09', kind: '休' }, { csrf: true })).status).toBe(403);
    expect((await c.t.bot.services.calendar.overrideList()).some((o) => o.date === '2027-02-09')).toBe(false);
    const out = await leader.post('/console/LOGOUT/', {}, { csrf: true });
    expect(out.status).toBe(200);
    expect(await out.text()).toContain('您已退出管理后台');
    expect((await leader.get('/console/')).status).toBe(401);
  });

  it('shows in its banner only what the server said of a change, never words from the address', async () => {
    const admin = await signIn('console:admin');
    const forged = await (await admin.get(`/console/?ok=${encodeURIComponent('请将公章交给来人')}&error=${encodeURIComponent('系统已被入侵')}`)).text();
    expect(forged).not.toContain('请将公章交给来人');
    expect(forged).not.toContain('系统已被入侵');
    expect(forged).not.toContain('class="notice');
    const done = await admin.post('/console/calendar', { date: '2027-02-10', kind: '班' }, { csrf: true });
    const back = done.headers.get('location')!;
    expect(back).not.toContain(encodeURIComponent('已把'));
    const shown = await (await admin.get(back)).text();
    expect(shown).toContain('已把 2027-02-10 设为工作日');
    expect(await (await admin.get(back)).text()).not.toContain('已把 2027-02-10'); // once
    const refused = await admin.post('/console/calendar', { date: 'soon', kind: '班' }, { csrf: true });
    expect(await (await admin.get(refused.headers.get('location')!)).text()).toContain('请选择日期');
  });

  it('keeps pages and exports out of every cache', async () => {
    const admin = await signIn('console:admin');
    for (const path of ['/console/', `/console/ledgers/${encodeURIComponent('公文')}`, `/console/export/${encodeURIComponent('督办')}`, '/console/people']) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    expect((await fetch(url('/console/'))).headers.get('cache-control')).toBe('no-store');
  });

  it('takes a NUL character in an address or a form as if it were not there', async () => {
    const admin = await signIn('console:admin');
    const found = await admin.get(`/console/ledgers/${encodeURIComponent('公文')}?q=${encodeURIComponent('防\u0000汛')}`);
    expect(found.status).toBe(200);
    expect(await found.text()).toContain('关于做好防汛工作的通知');
    expect((await admin.post('/console/units', { name: '县\u0000档案馆' }, { csrf: true })).status).toBe(303);
    expect(await c.t.column("SELECT name FROM units WHERE name LIKE '%档案馆'")).toEqual(['县档案馆']);
  });

  it('exports a ledger as a workbook from the ledger page’s link, audited', async () => {
    const admin = await signIn('console:admin');
    const ledger = await (await admin.get(`/console/ledgers/${encodeURIComponent('公文')}`)).text();
    expect(ledger).toContain('关于做好防汛工作的通知');
    const href = /<a href="([^"]+)">导出 Excel<\/a>/.exec(ledger)![1]!;
    const res = await admin.get(href);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    const file = join(c.t.dir, 'export.xlsx');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const [incoming] = await readXlsxFile(file);
    expect(incoming!.data.slice(1).map((r) => r[0])).toEqual(['SW-2026-0001', 'SW-2026-0002']);
    const audit = await c.t.rows("SELECT actor, action, target FROM audit_log WHERE action = '导出' AND target LIKE '公文%' ORDER BY id");
    expect(audit).toEqual([{ actor: 'console:admin', action: '导出', target: '公文台账 2026' }]);
  });

  it('sends a strict Content-Security-Policy and the other security headers, and escapes what people typed', async () => {
    await c.t.say('收文登记 标题=“<script>alert(1)</script><img src=x onerror=alert(2)>” 来文单位=某单位');
    const admin = await signIn('console:admin');
    const res = await admin.get(`/console/ledgers/${encodeURIComponent('公文')}`);
    const csp = res.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]) expect(csp).toContain(directive);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const main = /<main>([\s\S]*)<\/main>/.exec(await res.text())![1]!;
    expect(main).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(main).not.toMatch(/<script|<img/);
  });
});

describe('ledger pages', () => {
  // a console of its own: 120 more 收文 after the two every console has (so SW-2026-0003 is n = 1),
  // the even ones handed to 应急局, due on one of five days; and two 督办 items, one with ten feedbacks
  let l: ConsoleUnderTest;
  let admin: Visitor;
  beforeAll(async () => {
    l = await startConsole();
    for (let n = 1; n <= 120; n++) {
      const unit = n % 2 === 0 ? ' 承办单位=应急局' : '';
      expect(await l.t.say(`收文登记 标题=事项${String(n).padStart(3, '0')}的通知 来文单位=市政府办公室${unit} 办理时限=2026-12-${10 + (n % 5)}`)).toContain('已登记');
    }
    expect(await l.t.say('督办新建 标题=推进河道清淤 批示领导=console:leader 牵头单位=应急局 时限=2026-12-31')).toContain('DB-2026-0002');
    for (let k = 1; k <= 10; k++) expect(await l.t.say(`督办反馈 DB-2026-0002 第${k}次反馈`, 'console:li')).not.toMatch(/不能|没有/);
    for (let k = 1; k <= 2; k++) expect(await l.t.say(`督办反馈 DB-2026-0001 第${k}次反馈`, 'console:li')).not.toMatch(/不能|没有/);
    admin = await signIn('console:admin', l);
  }, 60_000);
  afterAll(async () => {
    await l?.t.close();
  });

  /** The registration numbers a ledger page lists, its heading's total and its pager. */
  async function view(kind: string, query: string) {
    const res = await admin.get(`/console/ledgers/${encodeURIComponent(kind)}?${query}`);
    expect(res.status, query).toBe(200);
    const body = await res.text();
    const first = body.split('<h2>')[1]!;
    return {
      total: Number(/（共 (\d+) 条）/.exec(first)![1]),
      numbers: [...first.matchAll(/<td><a href="[^"]+">((?:SW|DB)-\d{4}-\d+)<\/a><\/td>/g)].map((m) => m[1]),
      pager: /第 (\d+) \/ (\d+) 页/.exec(first)!.slice(1).map(Number),
      body: first,
    };
  }
  const sw = (...seqs: number[]) => seqs.map((n) => `SW-2026-${String(n).padStart(4, '0')}`);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('pages the year in registration order, with its total and links to the next and previous page', async () => {
    const first = await view('公文', 'year=2026');
    expect(first.total).toBe(122);
    expect(first.pager).toEqual([1, 3]);
    expect(first.numbers).toEqual(sw(...range(1, 50)));
    expect(first.body).toContain('href="?year=2026&amp;q=&amp;status=&amp;unit=&amp;sort=0&amp;desc=&amp;page=2">下一页');
    const last = await view('公文', 'year=2026&page=3');
    expect(last.numbers).toEqual(sw(...range(101, 122)));
    expect(last.body).toContain('page=2">上一页');
    expect(last.body).not.toContain('下一页');
  });

  it('filters by status, unit and a word found in any column, and sorts either way with ties in registration order', async () => {
    expect((await view('公文', 'status=待分办')).total).toBe(60);
    expect((await view('公文', 'status=办理中&unit=应急')).total).toBe(62);
    expect((await view('公文', 'unit=财政')).total).toBe(0);
    const word = await view('公文', 'q=事项01');
    expect(word.numbers).toEqual(sw(...range(12, 21)));
    expect((await view('公文', 'q=SW-2026-012')).numbers).toEqual(sw(...range(120, 122)));
    // 办理时限 is the seventh column; n = 4, 9, 14 … are due last (seq n + 2)
    const latest = await view('公文', 'sort=6&desc=1');
    expect(latest.numbers.slice(0, 3)).toEqual(sw(6, 11, 16));
    expect(latest.body).toContain('办理时限 ↓');
    const earliest = await view('公文', 'sort=6&page=1&status=办理中');
    expect(earliest.numbers.slice(0, 4)).toEqual(sw(1, 2, 12, 22)); // the even n due first: n % 5 = 0
  });

  it('sorts a number column by its value, not its digits', async () => {
    // 反馈次数 is the twelfth column of 督办台账: 2 feedbacks before 10
    expect((await view('督办', 'sort=11')).numbers).toEqual(['DB-2026-0001', 'DB-2026-0002']);
    expect((await view('督办', 'sort=11&desc=1')).numbers).toEqual(['DB-2026-0002', 'DB-2026-0001']);
  });

  it('refuses a year, page or column that is no number with 400, and shows an empty page past the last', async () => {
    for (const query of ['year=abc', 'page=x', 'page=1.5', 'sort=-1', 'sort=abc', 'page=0', 'year=20266']) {
      const res = await admin.get(`/console/ledgers/${encodeURIComponent('公文')}?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain('参数无效');
    }
    const past = await view('公文', 'page=9');
    expect(past.numbers).toEqual([]);
    expect(past.total).toBe(122);
  });
});

describe('the calendar page', () => {
  // a console of its own, on makeBot's 2026-11-25: November, and chinese-days has no 2027
  let k: ConsoleUnderTest;
  beforeAll(async () => {
    k = await startConsole();
  });
  afterAll(async () => {
    await k?.t.close();
  });
  const NOTICE = readFileSync(new URL('../fixtures/notices/made-up-2027.txt', import.meta.url), 'utf8');
  const notices = () => k.t.column('SELECT status FROM calendar_notices ORDER BY id');
  const WARNING = '2027年节假日安排尚未导入';

  it('refuses the import to a leader, and without the CSRF token, storing nothing', async () => {
    const leader = await signIn('console:leader', k);
    expect((await leader.get('/console/calendar')).status).toBe(403);
    expect((await leader.post('/console/calendar/import', { notice: NOTICE }, { csrf: true })).status).toBe(403);
    expect((await leader.post('/console/calendar/import/1/confirm', {}, { csrf: true })).status).toBe(403);
    expect(await (await leader.get('/console/')).text()).not.toContain(WARNING);
    const admin = await signIn('console:admin', k);
    expect((await admin.post('/console/calendar/import', { notice: NOTICE })).status).toBe(403);
    expect(await notices()).toEqual([]);
  });

  it('shows why a text cannot be read in the error banner, escaped, storing nothing', async () => {
    const admin = await signIn('console:admin', k);
    const text = '国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：<img src=x onerror=alert(1)>一月一日放假，共1天。';
    const refused = await admin.post('/console/calendar/import', { notice: text }, { csrf: true });
    expect(refused.status).toBe(303);
    const main = /<main>([\s\S]*)<\/main>/.exec(await (await admin.get(refused.headers.get('location')!)).text())![1]!;
    expect(main).toContain('<p class="notice error">无法导入：「元旦」中有一句没有日期：「&lt;img src=x onerror=alert(1)&gt;一月一日放假');
    expect(main).not.toContain('<img');
    expect(await notices()).toEqual([]);
  });

  it('warns an admin while 2027 is unknown; the pasted notice is shown for checking, and once confirmed is the year’s calendar', async () => {
    const admin = await signIn('console:admin', k);
    const dashboard = await (await admin.get('/console/')).text();
    expect(dashboard).toContain(`<p class="red">${WARNING}：工作日暂按周一至周五计算。<a href="/console/calendar">`);
    const before = await (await admin.get('/console/calendar')).text();
    expect(before).toContain(`<p class="notice error"><strong>${WARNING}</strong>`);
    expect(before).toContain('2027年没有节假日数据');
    expect(before).toContain('2026年的节假日和调休来自：chinese-days 收录的国务院通知');
    expect(before).toContain('<td class="off" data-date="2026-10-01" title="国庆节 放假">1<span class="red">休</span></td>');
    expect(before).toContain('<td class="work" data-date="2027-01-01" title="工作日">1</td>');

    const preview = await admin.post('/console/calendar/import', { notice: NOTICE }, { csrf: true });
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toContain('<strong>2027年节假日安排（待确认，导入 ');
    expect(shown).toContain('<strong>元旦</strong>：1月1日—1月3日 放假，共 3 天');
    expect(shown).toContain('1月1日（周五）：工作日 → 放假（元旦）');
    expect(shown).toContain('<button>确认导入</button>');
    const confirm = /action="(\/console\/calendar\/import\/\d+\/confirm)"/.exec(shown)![1]!;
    expect(await notices()).toEqual(['pending']);
    expect(await k.t.bot.services.calendar.isWorkday('2027-01-01')).toBe(true); // shown, not yet in force

    const confirmed = await admin.post(confirm, {}, { csrf: true });
    expect(confirmed.status).toBe(303);
    const after = await (await admin.get(confirmed.headers.get('location')!)).text();
    expect(after).toContain('<p class="notice ok">已导入2027年节假日安排：与之前不同的有 23 天');
    expect(await notices()).toEqual(['confirmed']);
    expect(after).not.toContain(WARNING);
    expect(after).toContain('2027年的节假日和调休来自：已导入的国务院办公厅放假通知');
    expect(after).toContain('春节：2月5日至12日放假，共 8 天；2月14日（周日）、2月20日（周六）上班');
    expect(after).toContain('<td class="off" data-date="2027-01-01" title="元旦 放假">1<span class="red">休</span></td>');
    expect(after).toContain('<td class="makeup" data-date="2027-02-14" title="春节 调休上班">14<span class="tag">班</span></td>');
    expect(await (await admin.get('/console/')).text()).not.toContain(WARNING);
    // a second confirmation is refused, and says why
    const again = await admin.post(confirm, {}, { csrf: true });
    expect(await (await admin.get(again.headers.get('location')!)).text()).toContain('<p class="notice error">2027年节假日安排（导入 ');
  });
});

describe('the first screen', () => {
  // a console of its own, on makeBot's 2026-11-25, with a 建议 assigned in June and never answered
  let k: ConsoleUnderTest;
  beforeAll(async () => {
    k = await startConsole();
    k.t.clock.set(Date.parse('2026-06-01T10:00:00+08:00'));
    await k.t.say('建议登记 编号=1 标题=关于修缮乡村道路的建议 代表=张三 主办单位=应急局'); // due 2026-09-01
    k.t.clock.set(Date.parse('2026-11-25T10:00:00+08:00'));
  });
  afterAll(async () => {
    await k?.t.close();
  });

  it('shows a leader first what is overdue in all four ledgers, by unit, each item with its days and a link', async () => {
    const page = await (await (await signIn('console:leader', k)).get('/console/')).text();
    const first = page.indexOf('需要关注：逾期与红色预警');
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(page.indexOf('本周数字'));
    expect(page).toContain('<strong>县应急管理局</strong><br>逾期 2 件');
    const link = (kind: string, ref: string) => `<a href="/console/ledgers/${encodeURIComponent(kind)}/${ref}">${ref}</a>`;
    expect(page).toContain(`建议 ${link('建议', 'JY-2026-001')} 关于修缮乡村道路的建议</td><td>2026-09-01</td><td><span class="red">逾期 85 天</span>`);
    expect(page).toContain(`公文 ${link('公文', 'SW-2026-0001')} 关于做好防汛工作的通知</td><td>2026-11-20</td><td><span class="red">逾期 5 天</span>`);
    // the most overdue first
    expect(page.indexOf('JY-2026-001')).toBeLessThan(page.indexOf('SW-2026-0001'));
    const item = await (await signIn('console:leader', k)).get(`/console/ledgers/${encodeURIComponent('建议')}/JY-2026-001`);
    expect(item.status).toBe(200);
    // its record in the office's words, not the log's JSON
    const record = await item.text();
    expect(record).toContain('<td>建议登记</td><td>标题：关于修缮乡村道路的建议<br>提出人：张三<br>牵头/主办单位：县应急管理局<br>办理时限：2026-09-01</td>');
    expect(record).not.toContain('proposers');
  });
});
