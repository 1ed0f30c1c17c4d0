// The console's pages, rendered on the server from the same services the bot uses.
import { calendarMissingCard } from '../../commands/calendar';
import { reportCard } from '../../commands/stats';
import { may } from '../engine/permissions';
import { holidayLine, holidaysOf, MARK_NAME, MARK_SIGN, markOf, monthWeeks, sourceLine, WEEKDAYS, type DayLookup } from '../jobs/calendar-grid';
import type { Card } from '../lib/reply';
import type { AttentionItem } from '../services/attention';
import { auditChanges, auditNames, type AuditNames } from '../services/audit-text';
import { formatLocalDateTime, yearOf } from '../lib/dates';
import { ROLE_LABELS } from '../services/actor';
import { CHAT_GROUPS, SUBSCRIPTIONS } from '../services/chats';
import type { LedgerKind, LedgerPage } from '../services/ledgers';
import type { Services } from '../services';
import { weekOf } from '../services/stats';
import { html, jsonData, type Html } from './html';
import { csrfField, type Viewer } from './layout';

const UNREAD_WINDOW_MS = 7 * 86_400_000;

// what the router refuses a non-admin, the page does not offer: both ask the engine's rights table
const readOnly = (v: Viewer) => !may(v.role, 'admin');

/** The first screen: what needs attention in all four ledgers, by unit, each item a link; then the week; then the trends. */
export async function dashboard(services: Services, v: Viewer, actor: Parameters<Services['stats']['report']>[1]): Promise<Html> {
  const week = await services.stats.report(weekOf(services.today()), actor);
  const card = (reportCard(week, '本周') as { card: Card }).card;
  const attention = await services.attention.byUnit();
  // the reminders of the last seven days that their contacts have not opened (where the messenger reports reads)
  const unread = await services.escalation.unreadByUnit(services.clock.now() - UNREAD_WINDOW_MS, services.clock.now());
  const chart = { weekly: await services.stats.weekly(12), units: await services.stats.onTimeByUnit(yearOf(services.today())) };
  // to admins, who can import the notice (calendar-check tells them the same each Monday)
  const missing = readOnly(v) ? [] : await services.calendar.missingYears(services.today());
  const state = (i: AttentionItem) => (i.daysOverdue > 0 ? html`<span class="red">逾期 ${i.daysOverdue} 天</span>` : html`<span class="tag">红色预警</span>`);
  return html`
${missing.length ? html`<p class="red">${calendarMissingCard(missing).title}：工作日暂按周一至周五计算。<a href="/console/calendar">导入国务院办公厅的放假通知</a></p>` : ''}
<h2>需要关注：逾期与红色预警</h2>
${attention.length
  ? html`<div class="scroll"><table class="attention"><thead><tr><th>单位</th><th>事项</th><th>时限</th><th>情况</th></tr></thead><tbody>${attention.map((u) =>
      u.items.map(
        (i, n) =>
          html`<tr>${n === 0 ? html`<td rowspan="${u.items.length}"><strong>${u.unit ?? '（待分办）'}</strong><br>逾期 ${u.overdue} 件${u.red ? `，红色预警 ${u.red} 件` : ''}</td>` : ''}<td>${i.ledger} <a href="/console/ledgers/${encodeURIComponent(i.ledger)}/${encodeURIComponent(i.regNo)}">${i.regNo}</a> ${i.title}</td><td>${i.due}</td><td>${state(i)}</td></tr>`,
      ),
    )}</tbody></table></div>`
  : html`<p>没有逾期或红色预警的事项。</p>`}
${unread.length ? html`<h2>提醒未读（近 7 天）</h2><ul class="unread">${unread.map((u) => html`<li data-unit="${u.unit}"><strong>${u.unit}</strong> ${u.contacts} 位联络员未读</li>`)}</ul>` : ''}
<h2>本周数字</h2>
<p>${week.period.label}，括号内为与上周相比的变化。</p>
<div class="cards">${card.fields!.map(([label, value]) => {
    const [main, change] = value.split('（');
    return html`<div class="card"><div class="label">${label}</div><div class="value" data-figure="${label}">${main}</div><div class="change">${change ? `（${change}` : ''}</div></div>`;
  })}</div>
<h2>趋势</h2>
<div class="charts"><div class="chart" id="chart-weekly"></div><div class="chart" id="chart-units"></div></div>
<script type="application/json" id="chart-data">${jsonData(chart)}</script>
<script src="/console/assets/echarts.min.js"></script>
<script src="/console/assets/dashboard.js"></script>`;
}

export interface LedgerQuery {
  year: number;
  q: string;
  status: string;
  unit: string;
  sort: number;
  desc: boolean;
  page: number;
}

export const PAGE_SIZE = 50;

function cellText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** One page of each sheet, filtered and sorted by the ledgers service, with the filters and the pager. */
export function ledgerPage(kind: LedgerKind, sheets: LedgerPage[], query: LedgerQuery): Html {
  const body = sheets.map((sheet) => {
    const pages = Math.max(1, Math.ceil(sheet.total / PAGE_SIZE));
    const link = (changes: Partial<Record<string, string | number>>) => {
      const p = new URLSearchParams({ year: String(query.year), q: query.q, status: query.status, unit: query.unit, sort: String(query.sort), desc: query.desc ? '1' : '', page: String(query.page) });
      for (const [k, val] of Object.entries(changes)) p.set(k, String(val));
      return `?${p}`;
    };
    return html`
<h2>${sheet.name}（共 ${sheet.total} 条）</h2>
<div class="scroll"><table><thead><tr>${sheet.columns.map((c, i) => html`<th><a href="${link({ sort: i, desc: query.sort === i && !query.desc ? '1' : '', page: 1 })}">${c.header}${query.sort === i ? (query.desc ? ' ↓' : ' ↑') : ''}</a></th>`)}</tr></thead>
<tbody>${sheet.rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<td><a href="/console/ledgers/${kind}/${encodeURIComponent(cellText(c))}">${cellText(c)}</a></td>` : html`<td>${cellText(c)}</td>`))}</tr>`)}</tbody></table></div>
<div class="pager">${query.page > 1 ? html`<a href="${link({ page: query.page - 1 })}">上一页</a>` : ''}<span>第 ${query.page} / ${pages} 页</span>${query.page < pages ? html`<a href="${link({ page: query.page + 1 })}">下一页</a>` : ''}</div>`;
  });
  return html`
<form class="bar" method="get">
  <label>年份<input name="year" value="${query.year}" size="5"></label>
  <label>关键词<input name="q" value="${query.q}" placeholder="标题、文号、姓名…"></label>
  <label>状态<input name="status" value="${query.status}" placeholder="如 办理中" size="8"></label>
  <label>单位<input name="unit" value="${query.unit}" size="10"></label>
  <button>筛选</button>
  <a href="/console/export/${kind}?year=${query.year}">导出 Excel</a>
</form>
${body}`;
}

/** An entry's changes as lines (字段：旧值 → 新值), one per line in the cell. */
const changes = (e: { action: string; before: unknown; after: unknown }, names: AuditNames): Html => html`${auditChanges(e.action, e.before, e.after, names).map((l, i) => html`${i ? html`<br>` : ''}${l}`)}`;

export function itemPage(
  detail: [string, string][],
  history: { at: number; actor: string; action: string; before: unknown; after: unknown }[],
  timezone: string,
  names: AuditNames,
  files: { text: string; href: string | null }[] = [],
): Html {
  return html`
<div class="scroll"><table><tbody>${detail.map(([k, val]) => html`<tr><th>${k}</th><td>${val}</td></tr>`)}</tbody></table></div>
${files.length ? html`<h2>文件</h2><ul>${files.map((f) => html`<li>${f.href ? html`<a href="${f.href}">${f.text}</a>` : html`${f.text}（未保存副本）`}</li>`)}</ul>` : ''}
<h2>办理记录</h2>
<div class="scroll"><table><thead><tr><th>时间</th><th>谁</th><th>操作</th><th>变更</th></tr></thead><tbody>${history.map(
    (h) => html`<tr><td>${formatLocalDateTime(h.at, timezone)}</td><td>${h.actor}</td><td>${h.action}</td><td>${changes(h, names)}</td></tr>`,
  )}</tbody></table></div>`;
}

export async function peoplePage(services: Services, v: Viewer): Promise<Html> {
  const people = await services.people.listWithRoles();
  const units = readOnly(v) ? [] : await services.units.list();
  return html`
${readOnly(v)
  ? ''
  : html`<form class="bar" method="post" action="/console/people/grant">${csrfField(v)}
  <label>平台:用户ID<input name="identity" required placeholder="lark:ou_xxx"></label>
  <label>姓名<input name="name"></label>
  <label>角色<select name="role">${Object.entries(ROLE_LABELS).map(([k, label]) => html`<option value="${k}">${label}</option>`)}</select></label>
  <label>单位（联络员必填）<select name="unit"><option value=""></option>${units.map((u) => html`<option>${u.name}</option>`)}</select></label>
  <button>授权</button></form>`}
<div class="scroll"><table><thead><tr><th>姓名</th><th>角色</th><th>单位</th><th>账号</th><th></th></tr></thead><tbody>${people.map(
    (p) => html`<tr><td>${p.name || '（未知）'}</td><td>${p.role ? ROLE_LABELS[p.role] : ''}</td><td>${p.unitName ?? ''}</td><td>${p.identities.join('、')}</td><td>${
      readOnly(v) ? '' : html`<form class="inline" method="post" action="/console/people/revoke">${csrfField(v)}<input type="hidden" name="identity" value="${p.identities[0] ?? ''}"><button class="quiet">撤销</button></form>`
    }</td></tr>`,
  )}</tbody></table></div>`;
}

export async function unitsPage(services: Services, v: Viewer): Promise<Html> {
  const units = await services.units.list();
  return html`
${readOnly(v)
  ? ''
  : html`<form class="bar" method="post" action="/console/units">${csrfField(v)}
  <label>名称<input name="name" required></label><label>简称<input name="shortName"></label>
  <label>联络员（平台:用户ID）<input name="contact" placeholder="lark:ou_xxx"></label><button>新增单位</button></form>`}
<div class="scroll"><table><thead><tr><th>名称</th><th>简称</th><th>联络员</th></tr></thead><tbody>${units.map((u) => html`<tr><td>${u.name}</td><td>${u.shortName ?? ''}</td><td>${u.contacts.map((c) => c.name || '（未知）').join('、')}</td></tr>`)}</tbody></table></div>`;
}

export async function chatsPage(services: Services, v: Viewer): Promise<Html> {
  const chats = await services.chats.groups();
  const toggle = (chat: (typeof chats)[number], what: 'group' | 'subscription', name: string, on: boolean) =>
    readOnly(v)
      ? html`<span class="tag ${on ? 'on' : ''}">${name}</span>`
      : html`<form class="inline" method="post" action="/console/chats">${csrfField(v)}<input type="hidden" name="platform" value="${chat.platform}"><input type="hidden" name="chatId" value="${chat.chatId}"><input type="hidden" name="${what}" value="${name}"><input type="hidden" name="on" value="${on ? '' : '1'}"><button class="quiet tag ${on ? 'on' : ''}" title="${on ? '点击停用' : '点击启用'}">${on ? '✓ ' : ''}${name}</button></form>`;
  return chats.length
    ? html`<p>群聊在管理员启用功能组之前是关闭的。点击切换。</p><div class="scroll"><table><thead><tr><th>群聊</th><th>平台</th><th>功能组</th><th>订阅</th></tr></thead><tbody>${chats.map(
        (c) =>
          html`<tr data-chat="${c.chatId}"><td>${c.title ?? c.chatId}</td><td>${c.platform}</td><td>${CHAT_GROUPS.map((g) => toggle(c, 'group', g, c.enabledGroups.includes(g)))}</td><td>${SUBSCRIPTIONS.map((s) => toggle(c, 'subscription', s, c.subscriptions.includes(s)))}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p>机器人还没有在任何群聊中收到消息。把机器人拉进群并 @ 它一次后，群聊会出现在这里。</p>`;
}

/** A card's light markdown as HTML: **bold** as <strong>, everything else text. */
function cardLine(line: string): Html {
  return html`${line.split('**').map((part, i) => (i % 2 ? html`<strong>${part}</strong>` : part))}`;
}

function cardBody(c: Card): Html {
  return html`<strong>${c.title}</strong>${(c.lines ?? []).map((l) => html`<br>${cardLine(l)}`)}`;
}

/**
 * The year as twelve month tables, Monday first, 休 and 班 beside the days that differ from the
 * weekday rule (the cell's class and title say the same). The dashboard's grid of charts lays the
 * months out, three to a row on a wide screen, one on a phone.
 */
function yearCalendar(year: number, day: DayLookup): Html {
  const holidays = holidaysOf(year, day);
  return html`
<h2>${year}年</h2>
<p>${sourceLine(year, day)}</p>
${holidays.length ? html`<p>${holidays.map((h, i) => html`${i ? html`<br>` : ''}${holidayLine(h)}`)}</p>` : ''}
<div class="charts" data-year="${year}">${Array.from({ length: 12 }, (_, i) => {
    const month = i + 1;
    return html`<table class="month"><caption>${month}月</caption><thead><tr>${WEEKDAYS.map((w) => html`<th>${w}</th>`)}</tr></thead><tbody>${monthWeeks(year, month).map(
      (week) =>
        html`<tr>${week.map((date) => {
          if (!date) return html`<td></td>`;
          const d = day(date);
          const mark = markOf(d);
          const sign = MARK_SIGN[mark];
          return html`<td class="${mark}" data-date="${date}" title="${d.holiday ? `${d.holiday} ` : ''}${MARK_NAME[mark]}">${Number(date.slice(8))}${sign ? html`<span class="${mark === 'off' ? 'red' : 'tag'}">${sign}</span>` : ''}</td>`;
        })}</tr>`,
    )}</tbody></table>`;
  })}</div>`;
}

export async function calendarPage(services: Services, v: Viewer): Promise<Html> {
  // the calendar in force, read once: the grids ask it of every day of two years
  const calendar = await services.calendar.current();
  const missing = calendar.missingYears(services.today());
  const year = yearOf(services.today());
  const day = (date: string) => calendar.day(date);
  const overrides = calendar.overrideList();
  return html`
${missing.length ? html`<p class="notice error">${cardBody(calendarMissingCard(missing))}</p>` : ''}
${readOnly(v)
  ? ''
  : html`<h2>导入国务院办公厅的放假通知</h2>
<form method="post" action="/console/calendar/import">${csrfField(v)}<label>通知全文（标题和各条放假安排，如「一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。」）<textarea name="notice" rows="12" cols="80" required placeholder="国务院办公厅关于2027年部分节假日安排的通知……"></textarea></label>
<p><button>核对</button> 先显示读到的安排和将要变化的日子，确认后才生效。</p></form>
<h2>节假日设置</h2>
<form class="bar" method="post" action="/console/calendar">${csrfField(v)}<label>日期<input name="date" type="date" required></label>
  <label>类型<select name="kind"><option value="休">休息日</option><option value="班">工作日（调休上班）</option></select></label><button>设置</button></form>`}
<p>法定节假日和调休来自导入的国务院办公厅放假通知，没有导入的年份来自 chinese-days；这里的设置优先，用于个别日子的调整。</p>
<div class="scroll"><table><thead><tr><th>日期</th><th>设为</th></tr></thead><tbody>${overrides.map((o) => html`<tr><td>${o.date}</td><td>${o.workday ? '工作日' : '休息日'}</td></tr>`)}</tbody></table></div>
${yearCalendar(year, day)}
${yearCalendar(year + 1, day)}`;
}

/** What a pasted notice says and changes, as 节假日导入 shows it in chat, with the button that confirms it. */
export function calendarChangesPage(preview: Card, id: number, v: Viewer): Html {
  return html`
<p class="notice">${cardBody(preview)}</p>
<form class="bar" method="post" action="/console/calendar/import/${id}/confirm">${csrfField(v)}<button>确认导入</button><a href="/console/calendar">不导入，返回</a></form>`;
}

export async function auditPage(services: Services): Promise<Html> {
  const entries = await services.audit.latest(200);
  const names = await auditNames(services.units);
  return html`<div class="scroll"><table><thead><tr><th>时间</th><th>谁</th><th>在哪</th><th>操作</th><th>对象</th><th>变更</th></tr></thead><tbody>${entries.map(
    (e) =>
      html`<tr><td>${formatLocalDateTime(e.at, services.timezone)}</td><td>${e.actor}</td><td>${e.chat ?? '命令行'}</td><td>${e.action}</td><td>${e.target ?? ''}</td><td>${changes(e, names)}</td></tr>`,
  )}</tbody></table></div>`;
}

