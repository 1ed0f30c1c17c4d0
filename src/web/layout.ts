import { may } from '../engine/permissions';
import type { Role } from '../services/actor';
import { ROLE_LABELS } from '../services/actor';
import { html, type Html } from './html';

export interface Viewer {
  name: string;
  role: Role;
  csrf: string;
}

const NAV: [href: string, label: string, adminOnly: boolean][] = [
  ['/console/', '仪表盘', false],
  ['/console/ledgers/公文', '公文台账', false],
  ['/console/ledgers/建议', '建议台账', false],
  ['/console/ledgers/提案', '提案台账', false],
  ['/console/ledgers/督办', '督办台账', false],
  ['/console/people', '人员', true],
  ['/console/units', '单位', true],
  ['/console/chats', '群聊', true],
  ['/console/calendar', '节假日', true],
  ['/console/audit', '审计', true],
];

export function csrfField(v: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${v.csrf}">`;
}

export function page(v: Viewer, title: string, body: Html, notice?: { ok?: string | undefined; error?: string | undefined }): Html {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 政务助手管理后台</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/console/">政务助手 · 管理后台</a>
  <nav>${NAV.filter(([, , adminOnly]) => !adminOnly || may(v.role, 'admin')).map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>
  <form method="post" action="/console/logout" class="who">${csrfField(v)}<span>${v.name}（${ROLE_LABELS[v.role]}${may(v.role, 'admin') ? '' : '，只读'}）</span><button>退出</button></form>
</header>
<main>
<h1>${title}</h1>
${notice?.ok ? html`<p class="notice ok">${notice.ok}</p>` : ''}
${notice?.error ? html`<p class="notice error">${notice.error}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export function bare(title: string, message: string, status: 'info' | 'error' = 'info'): Html {
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 政务助手管理后台</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main class="narrow"><h1>${title}</h1><p class="notice ${status}">${message}</p></main></body></html>`;
}
