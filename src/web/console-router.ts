// /console: the web console. Sign-in by a single-use link from the bot; a session cookie
// (HttpOnly, SameSite=Strict, Secure behind HTTPS); a CSRF token on every change; a strict CSP;
// leaders read, admins change. Every change goes through the bot's own services and is audited.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { calendarPreviewCard } from '../../commands/calendar';
import { proposalCard } from '../../commands/proposals';
import { itemCard } from '../../commands/supervision';
import { describeFile, documentCard } from '../../commands/views';
import { may } from '../engine/permissions';
import { makeLedgerFile } from '../jobs/ledger-file';
import { yearOf } from '../lib/dates';
import type { Card, Reply } from '../lib/reply';
import { roleFromLabel, type Actor, type Role } from '../services/actor';
import { CHAT_GROUPS, SUBSCRIPTIONS, type ChatGroup, type Subscription } from '../services/chats';
import { UserError } from '../services/errors';
import type { FileRecord } from '../services/intake';
import { LEDGER_KINDS, type LedgerKind } from '../services/ledgers';
import { parseIdentity } from '../services/people';
import type { Services } from '../services';
import { auditNames } from '../services/audit-text';
import type { Html } from './html';
import { bare, page, type Viewer } from './layout';
import { auditPage, calendarChangesPage, calendarPage, chatsPage, dashboard, itemPage, ledgerPage, PAGE_SIZE, peoplePage, unitsPage } from './pages';
import { withoutNul } from '../lib/without-nul';

const COOKIE = 'zw_console';
const assets = fileURLToPath(new URL('./assets', import.meta.url));
const echartsDist = dirname(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'));

interface Signed {
  viewer: Viewer;
  actor: Actor;
}

/** A whole number from the address: the fallback when it is absent or empty, null when it is anything but digits in range. */
function whole(value: unknown, fallback: number, min: number, max: number): number | null {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** A text field of the address; repeated, its first value. */
function text(value: unknown): string {
  return String((Array.isArray(value) ? value[0] : value) ?? '');
}

function send(res: Response, body: Html, status = 200): void {
  res.status(status).type('html').send(body.value);
}

export function createConsoleRouter(options: { services: Services; log: Logger }): Router {
  const { services, log } = options;
  const router = Router();

  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  router.use('/assets', express.static(assets, { maxAge: '1h' }), express.static(echartsDist, { maxAge: '1h' }));
  router.use(cookieParser(), express.urlencoded({ extended: false, limit: '32kb' }), (req, _res, next) => {
    // what a form or an address sends, like what a message says, comes in without NUL characters
    req.body = withoutNul(req.body);
    // (express computes req.query on each read: an own property takes its place)
    Object.defineProperty(req, 'query', { value: withoutNul(req.query), configurable: true, enumerable: true });
    next();
  });
  // pages and exports hold what only a signed-in leader or admin may see: no cache keeps them
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/login', async (req, res) => {
    const result = await services.consoleAuth.redeem(String(req.query.token ?? ''));
    if ('refused' in result) {
      const why = { invalid: '链接无效。', expired: '链接已过期（10 分钟内有效）。', used: '链接已经用过（每个链接只能使用一次）。' }[result.refused];
      return send(res, bare('无法登录', `${why}请在私聊中向机器人发送「管理后台」获取新的链接。`, 'error'), 403);
    }
    const person = await services.people.view(result.personId);
    if (!may(person.role, 'console')) return send(res, bare('无法登录', '管理后台只对领导和管理员开放。', 'error'), 403);
    const session = await services.consoleAuth.startSession(result.personId);
    res.cookie(COOKIE, session.id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/console', maxAge: 8 * 3_600_000 });
    res.redirect(303, '/console/');
  });

  // everything below needs a session
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const session = await services.consoleAuth.session(req.cookies?.[COOKIE]);
    const person = session ? await services.people.view(session.personId) : null;
    if (!session || !person || !may(person.role, 'console')) {
      return send(res, bare('请先登录', '请在私聊中向机器人发送「管理后台」，打开它回复的链接登录。', 'error'), 401);
    }
    const signed: Signed = {
      viewer: { name: person.name || person.identities[0] || '', role: person.role as Role, csrf: session.csrf },
      actor: { personId: person.id, identity: person.identities[0] ?? `person:${person.id}`, name: person.name, role: person.role, unitId: person.unitId, chat: 'web:console' },
    };
    res.locals.signed = signed;
    if (req.method === 'POST') {
      if (req.body?._csrf !== session.csrf) return send(res, bare('请求被拒绝', '页面已过期或请求来源不可信（CSRF 校验失败）。请刷新页面后重试。', 'error'), 403);
      // routing ignores case and a trailing slash, and so must this test of the one change a leader may make
      const loggingOut = req.path.toLowerCase().replace(/\/+$/, '') === '/logout';
      if (!loggingOut && !may(person.role, 'admin')) return send(res, bare('无权修改', '领导账号只能查看，不能修改设置。', 'error'), 403);
    }
    next();
  });

  const signed = (res: Response) => res.locals.signed as Signed;
  // people, units, chats, the calendar and the audit log are the admins' (DESIGN: leaders read the dashboard and ledgers)
  router.use(['/people', '/units', '/chats', '/calendar', '/audit'], (_req, res, next) => {
    if (!may(signed(res).viewer.role, 'admin')) return send(res, bare('无权访问', '这一页只对管理员开放。', 'error'), 403);
    next();
  });
  // What a change reports travels to the page it returns to as a one-time key to words this server
  // chose, for the session that made the change: text in the URL would let any crafted link put its
  // own words in the console's official banner.
  const notes = new Map<string, { session: string; kind: 'ok' | 'error'; text: string }>();
  const note = (req: Request, kind: 'ok' | 'error', text: string) => {
    if (notes.size >= 1000) notes.delete(notes.keys().next().value!);
    const key = randomUUID();
    notes.set(key, { session: String(req.cookies?.[COOKIE]), kind, text });
    return key;
  };
  const notice = (req: Request) => {
    const key = String(req.query.note ?? '');
    const found = notes.get(key);
    if (!found || found.session !== String(req.cookies?.[COOKIE])) return {};
    notes.delete(key);
    return { [found.kind]: found.text };
  };
  /** Runs a change in one transaction and comes back to the page with what happened (post/redirect/get). */
  const change = (path: string, work: (req: Request, actor: Actor) => Promise<string>) => async (req: Request, res: Response) => {
    try {
      const ok = await services.db.tx(() => work(req, signed(res).actor));
      res.redirect(303, `${path}?note=${note(req, 'ok', ok)}`);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      res.redirect(303, `${path}?note=${note(req, 'error', error.message)}`);
    }
  };
  const field = (req: Request, name: string) => String(req.body?.[name] ?? '').trim();

  router.get('/', async (req, res) => send(res, page(signed(res).viewer, '仪表盘', await dashboard(services, signed(res).viewer, signed(res).actor), notice(req))));

  router.get('/ledgers/:kind', async (req, res) => {
    const kind = req.params.kind as LedgerKind;
    if (!LEDGER_KINDS.includes(kind)) return send(res, bare('没有这个台账', '台账只有：公文、建议、提案、督办。', 'error'), 404);
    const year = whole(req.query.year, yearOf(services.today()), 1000, 9999);
    const sort = whole(req.query.sort, 0, 0, 999);
    const pageNo = whole(req.query.page, 1, 1, 1_000_000);
    if (year === null || sort === null || pageNo === null) return send(res, bare('参数无效', '年份、页码和排序列应为正整数。', 'error'), 400);
    const query = { year, q: text(req.query.q), status: text(req.query.status), unit: text(req.query.unit), sort, desc: req.query.desc === '1', page: pageNo };
    const sheets = await services.ledgers.pages(kind, year, null, { ...query, offset: (pageNo - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    send(res, page(signed(res).viewer, `${kind}台账（${year}年）`, ledgerPage(kind, sheets, query)));
  });

  router.get('/ledgers/:kind/:ref', async (req, res) => {
    const kind = req.params.kind as LedgerKind;
    const { actor } = signed(res);
    let reply: Reply;
    try {
      const today = services.today();
      if (kind === '公文') reply = documentCard(await services.documents.byRegNo(req.params.ref, actor), today);
      else if (kind === '督办') reply = itemCard(await services.supervision.get(req.params.ref, actor), today, undefined, services.timezone);
      else if (kind === '建议' || kind === '提案') reply = proposalCard(await services.proposals.get(kind, req.params.ref, actor), today);
      else return send(res, bare('没有这个台账', '台账只有：公文、建议、提案、督办。', 'error'), 404);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return send(res, bare('没有找到', error.message, 'error'), 404);
    }
    const c = (reply as { card: Card }).card;
    const detail: [string, string][] = [['标题', (c.lines ?? [])[0]?.replace(/\*\*/g, '') ?? ''], ...(c.fields ?? []), ...(c.lines ?? []).slice(1).map((l): [string, string] => ['记录', l.replace(/\*\*/g, '')])];
    const history = await services.audit.forTarget(c.title.split('：').at(-1)!);
    const files = (await filesOf(kind, req.params.ref, actor)).map((f) => ({ text: describeFile(f), href: f.kept ? `/console/ledgers/${encodeURIComponent(kind)}/${encodeURIComponent(req.params.ref)}/files/${f.id}` : null }));
    send(res, page(signed(res).viewer, c.title, itemPage(detail, history, services.timezone, await auditNames(services.units), files)));
  });

  /** The files an item was registered from or given as proof, as the viewer may see the item (a refusal when not). */
  async function filesOf(kind: string, ref: string, actor: Actor): Promise<FileRecord[]> {
    if (kind === '公文') return services.intake.ofDocument((await services.documents.byRegNo(ref, actor)).id);
    if (kind === '督办') return (await services.supervision.get(ref, actor)).feedback.flatMap((f) => f.files);
    return [];
  }

  // a kept copy (INTAKE_KEEP_DIR) goes only to someone who may see its item, and only from here
  router.get('/ledgers/:kind/:ref/files/:id', async (req, res) => {
    const id = whole(req.params.id, 0, 1, Number.MAX_SAFE_INTEGER);
    let kept: { path: string; name: string } | null = null;
    try {
      if (id !== null && (await filesOf(req.params.kind, req.params.ref, signed(res).actor)).some((f) => f.id === id && f.kept)) kept = await services.intake.keptPath(id);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
    if (!kept) return send(res, bare('没有找到', '没有这个文件，或本机未保存文件副本。', 'error'), 404);
    res.setHeader('Cache-Control', 'no-store');
    await new Promise<void>((resolve, reject) => res.download(kept.path, kept.name || 'file', { dotfiles: 'allow' }, (err) => (err ? reject(err) : resolve())));
  });

  router.get('/export/:kind', async (req, res) => {
    const kind = req.params.kind as LedgerKind;
    if (!LEDGER_KINDS.includes(kind)) return send(res, bare('没有这个台账', '台账只有：公文、建议、提案、督办。', 'error'), 404);
    const year = Number(req.query.year) || yearOf(services.today());
    const dir = mkdtempSync(join(tmpdir(), 'zw-export-'));
    try {
      const name = `${kind}台账-${year}.xlsx`;
      await makeLedgerFile({ database: services.db.location, kind, year, unitId: null, filePath: join(dir, name) });
      await services.db.tx(() => services.audit.record(signed(res).actor, '导出', `${kind}台账 ${year}`, null, { via: '管理后台' }));
      await new Promise<void>((resolve, reject) => res.download(join(dir, name), name, (err) => (err ? reject(err) : resolve())));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  router.get('/people', async (req, res) => send(res, page(signed(res).viewer, '人员与角色', await peoplePage(services, signed(res).viewer), notice(req))));
  router.post(
    '/people/grant',
    change('/console/people', async (req, actor) => {
      const identity = parseIdentity(field(req, 'identity'));
      if (!identity) throw new UserError('「平台:用户ID」应形如 lark:ou_xxx（即「我是谁」显示的账号）');
      const role = roleFromLabel(field(req, 'role'));
      if (!role) throw new UserError('请选择角色');
      const unit = field(req, 'unit') ? (await services.units.resolve(field(req, 'unit'))).id : null;
      const p = await services.people.grant(identity, field(req, 'name') || undefined, role, unit, actor);
      return `已授权 ${p.name || field(req, 'identity')}`;
    }),
  );
  router.post(
    '/people/revoke',
    change('/console/people', async (req, actor) => {
      const identity = parseIdentity(field(req, 'identity'));
      if (!identity) throw new UserError('没有这个账号');
      await services.people.revoke(identity, actor);
      return `已撤销 ${field(req, 'identity')} 的角色`;
    }),
  );

  router.get('/units', async (req, res) => send(res, page(signed(res).viewer, '承办单位', await unitsPage(services, signed(res).viewer), notice(req))));
  router.post(
    '/units',
    change('/console/units', async (req, actor) => {
      const name = field(req, 'name');
      if (!name) throw new UserError('请填写单位名称');
      const contact = field(req, 'contact') ? parseIdentity(field(req, 'contact')) : null;
      if (field(req, 'contact') && !contact) throw new UserError('联络员应写成 平台:用户ID，如 lark:ou_xxx');
      const unit = await services.units.add(name, field(req, 'shortName') || undefined, contact ? { identity: contact } : undefined, actor);
      return `已新增单位 ${unit.name}`;
    }),
  );

  router.get('/chats', async (req, res) => send(res, page(signed(res).viewer, '群聊与订阅', await chatsPage(services, signed(res).viewer), notice(req))));
  router.post(
    '/chats',
    change('/console/chats', async (req, actor) => {
      const chat = (await services.chats.groups()).find((c) => c.platform === field(req, 'platform') && c.chatId === field(req, 'chatId'));
      if (!chat) throw new UserError('没有这个群聊');
      const on = field(req, 'on') === '1';
      const group = field(req, 'group') as ChatGroup;
      const subscription = field(req, 'subscription') as Subscription;
      if (CHAT_GROUPS.includes(group)) await (on ? services.chats.enable : services.chats.disable)(chat, [group], actor);
      else if (SUBSCRIPTIONS.includes(subscription)) await (on ? services.chats.subscribe : services.chats.unsubscribe)(chat, [subscription], actor);
      else throw new UserError('没有这个功能组或订阅');
      return `「${chat.title ?? chat.chatId}」已${on ? '开启' : '关闭'}「${group || subscription}」`;
    }),
  );

  router.get('/calendar', async (req, res) => send(res, page(signed(res).viewer, '节假日', await calendarPage(services, signed(res).viewer), notice(req))));
  // the preview is this POST's answer: it is computed as the notice is read, and only its confirmation changes the calendar
  router.post('/calendar/import', async (req, res) => {
    const { viewer, actor } = signed(res);
    try {
      const preview = await services.db.tx(() => services.calendarChanges.read(String(req.body?.notice ?? ''), actor));
      send(res, page(viewer, '核对节假日安排', calendarChangesPage(calendarPreviewCard(preview), preview.id, viewer)));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      res.redirect(303, `/console/calendar?note=${note(req, 'error', error.message)}`);
    }
  });
  router.post(
    '/calendar/import/:id/confirm',
    change('/console/calendar', async (req, actor) => {
      const id = whole(req.params.id, 0, 1, 9_999_999);
      if (!id) throw new UserError('导入编号无效，请重新粘贴通知核对。');
      const a = await services.calendarChanges.confirm(id, actor);
      return `已导入${a.year}年节假日安排：与之前不同的有 ${a.changes} 天，重新计算了 ${a.moved.length} 件在办事项的办理时限，通知了 ${a.told} 人。`;
    }),
  );
  router.post(
    '/calendar',
    change('/console/calendar', async (req, actor) => {
      const date = field(req, 'date');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UserError('请选择日期');
      await services.calendarChanges.setDay(date, field(req, 'kind') === '班', actor);
      return `已把 ${date} 设为${field(req, 'kind') === '班' ? '工作日' : '休息日'}`;
    }),
  );

  router.get('/audit', async (_req, res) => send(res, page(signed(res).viewer, '审计日志', await auditPage(services))));

  router.post('/logout', async (req, res) => {
    await services.consoleAuth.endSession(req.cookies?.[COOKIE]);
    res.clearCookie(COOKIE, { path: '/console' });
    send(res, bare('已退出', '您已退出管理后台。'));
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    log.error({ err }, 'console page failed');
    send(res, bare('出错了', '页面出错，已记录。请稍后重试。', 'error'), 500);
  });

  return router;
}
