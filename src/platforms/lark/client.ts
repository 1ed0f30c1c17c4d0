// The Lark SDK client, set up the way a long-running bot needs it: its own token cache (the
// SDK's default is shared by every client in the process), a timeout on every call (the SDK has
// none), and the domain given verbatim when it is a URL.
import * as lark from '@larksuiteoapi/node-sdk';
import axios from 'axios';
import type { Logger } from 'pino';
import type { UrgentLevel } from '../../config';
import { readCapped, type Fetched, type FileFetcher } from '../../lib/files';
import { sentFile } from './mapping';
import type { Department, DirectoryRead } from '../../services/org-sync';

export interface LarkSettings {
  appId: string;
  appSecret: string;
  encryptKey?: string | undefined;
  verificationToken?: string | undefined;
  domain: string;
  mode: 'webhook' | 'websocket';
  /** the bot menu's event keys, each to the command it sends (LARK_MENU) */
  menu: Readonly<Record<string, string>>;
  /** the urgent alerts (加急) made for what must be seen at once (LARK_URGENT): app, and sms/phone where the tenant pays for them */
  urgent?: readonly UrgentLevel[];
}

export function larkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

function httpInstance(timeoutMs: number): lark.HttpInstance {
  const http = axios.create({ timeout: timeoutMs });
  // the SDK expects response bodies, not responses (node-sdk #61), as its own instance returns
  http.interceptors.response.use((resp) =>
    (resp.config as { $return_headers?: boolean }).$return_headers ? { data: resp.data, headers: resp.headers } : resp.data,
  );
  return http as unknown as lark.HttpInstance;
}

/** The SDK logs through pino; its own messages never carry our secrets, but pino redacts anyway. */
function sdkLogger(log: Logger): lark.Logger {
  const child = log.child({ module: 'lark-sdk' });
  return {
    error: (...m) => child.error({ sdk: m.map(String) }),
    warn: (...m) => child.warn({ sdk: m.map(String) }),
    info: (...m) => child.debug({ sdk: m.map(String) }),
    debug: (...m) => child.trace({ sdk: m.map(String) }),
    trace: (...m) => child.trace({ sdk: m.map(String) }),
  };
}

export function createLarkClient(settings: LarkSettings, timeoutMs: number, log: Logger): lark.Client {
  return new lark.Client({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: larkDomain(settings.domain),
    appType: lark.AppType.SelfBuild,
    httpInstance: httpInstance(timeoutMs),
    cache: new lark.DefaultCache(),
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
  });
}

export function createLarkWsClient(settings: LarkSettings, log: Logger): lark.WSClient {
  return new lark.WSClient({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: larkDomain(settings.domain),
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
  });
}

/**
 * Whether a chat is private, as Lark says (GET /open-apis/im/v1/chats/:id, its chat_mode), for a card
 * click, whose callback carries the chat's id but not its kind. Kept once known (a chat does not
 * change kind); when Lark cannot say in time, a group: the narrower scope, never the wider.
 */
export function chatModes(client: lark.Client, log: Logger, waitMs = 1000) {
  const known = new Map<string, 'p2p' | 'group'>();
  return async function chatType(chatId: string): Promise<'p2p' | 'group'> {
    const kept = known.get(chatId);
    if (kept) return kept;
    const asked = client
      .request<{ code: number; data?: { chat_mode?: string } }>({ method: 'GET', url: `/open-apis/im/v1/chats/${encodeURIComponent(chatId)}` })
      .then((res) => {
        if (res.code !== 0 || !res.data?.chat_mode) return null;
        const mode = res.data.chat_mode === 'p2p' ? 'p2p' : 'group';
        if (known.size > 10_000) known.clear();
        known.set(chatId, mode);
        return mode;
      })
      .catch((err) => {
        log.warn({ err: (err as Error).message }, 'could not read a Lark chat’s kind');
        return null;
      });
    const timeout = new Promise<null>((r) => setTimeout(r, waitMs, null).unref());
    return (await Promise.race([asked, timeout])) ?? 'group';
  };
}

type Answer<T> = { code?: number; msg?: string; data?: T };

class Refused extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(`Lark refused: ${code} ${msg}`);
  }
}

/** A call's data; Feishu's refusal (HTTP 400 with its code in the body, or a non-zero code) as Refused. */
async function answered<T>(call: Promise<Answer<T>>): Promise<T> {
  const res = await call.catch((error: { response?: { data?: Answer<T> } }) => {
    if (typeof error.response?.data?.code === 'number') return error.response.data;
    throw error;
  });
  if (res.code !== 0) throw new Refused(res.code ?? -1, res.msg ?? '');
  return res.data ?? ({} as T);
}

/** Every page of a paged list. */
async function allPages<T extends { has_more?: boolean | undefined; page_token?: string | undefined }>(page: (token: string | undefined) => Promise<Answer<T>>): Promise<T[]> {
  const pages: T[] = [];
  let token: string | undefined;
  do {
    const data = await answered(page(token));
    pages.push(data);
    token = data.has_more ? data.page_token : undefined;
  } while (token);
  return pages;
}

/**
 * A person's name by open_id, from the contact directory (GET /open-apis/contact/v3/users/:id,
 * permission contact:user.base:readonly): message events carry ids only. null when Lark will not
 * say (no permission, someone outside the tenant), which is logged once per reason.
 */
export function userNames(client: lark.Client, log: Logger) {
  const warned = new Set<number>();
  return async function userName(openId: string): Promise<string | null> {
    try {
      const data = await answered(
        client.request<Answer<{ user?: { name?: string } }>>({ method: 'GET', url: `/open-apis/contact/v3/users/${encodeURIComponent(openId)}`, params: { user_id_type: 'open_id' } }),
      );
      return data.user?.name || null;
    } catch (error) {
      // a missing permission, or a user the app may not see
      if (!(error instanceof Refused)) throw error;
      if (!warned.has(error.code)) {
        warned.add(error.code);
        log.warn({ code: error.code, msg: error.msg }, 'Lark would not give a user’s name: grant the app contact:user.base:readonly (获取用户基本信息) and make the users visible to it (通讯录权限范围)');
      }
      return null;
    }
  };
}

const BATCH_IDS = 50;

/**
 * The departments the app may see, for 单位同步: the app's contact range (GET
 * /open-apis/contact/v3/scopes), those departments (GET …/departments/batch), and everything under
 * each (GET …/departments/:id/children?fetch_child=true), page by page. Listing the root's children
 * directly would need the range to be 全部成员; this works for any range. The SDK's *WithIterator
 * helpers swallow errors (a refusal would read as no departments), so the pages are walked here.
 */
export function departmentDirectory(client: lark.Client) {
  const ids = { department_id_type: 'open_department_id', user_id_type: 'open_id' } as const;
  type Item = { name: string; parent_department_id: string; open_department_id?: string | undefined; leader_user_id?: string | undefined; status?: { is_deleted?: boolean | undefined } | undefined };
  return async function departments(): Promise<DirectoryRead> {
    // by id: a department in the range under another in it is listed twice
    const found = new Map<string, Department>();
    const keep = (items: Item[] | undefined) => {
      for (const d of items ?? []) {
        if (!d.open_department_id || d.status?.is_deleted) continue;
        found.set(d.open_department_id, { id: d.open_department_id, name: d.name, parentId: d.parent_department_id, ...(d.leader_user_id ? { leaderId: d.leader_user_id } : {}) });
      }
    };
    try {
      const scopes = await allPages((page_token) => client.contact.scope.list({ params: { department_id_type: ids.department_id_type, page_size: 100, ...(page_token ? { page_token } : {}) } }));
      const top = scopes.flatMap((p) => p.department_ids ?? []);
      for (let i = 0; i < top.length; i += BATCH_IDS) {
        keep((await answered(client.contact.department.batch({ params: { ...ids, department_ids: top.slice(i, i + BATCH_IDS) } }))).items);
      }
      for (const id of top) {
        const pages = await allPages((page_token) =>
          client.contact.department.children({ path: { department_id: id }, params: { ...ids, fetch_child: true, page_size: 50, ...(page_token ? { page_token } : {}) } }),
        );
        for (const page of pages) keep(page.items);
      }
      return { departments: [...found.values()] };
    } catch (error) {
      if (error instanceof Refused) return { refused: { code: error.code, msg: error.msg } };
      throw error;
    }
  };
}

/** The bot's own open_id, to tell a mention of the bot from a mention of a person. Asked once, then kept. */
export function botIdentity(client: lark.Client, log: Logger) {
  let openId: string | null = null;
  let asking: Promise<string | null> | null = null;
  return {
    known: () => openId,
    fetch(): Promise<string | null> {
      if (openId) return Promise.resolve(openId);
      asking ??= client
        .request<{ code: number; bot?: { open_id?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' })
        .then((res) => {
          openId = res.code === 0 && res.bot?.open_id ? res.bot.open_id : null;
          if (!openId) log.warn({ code: res.code }, 'Lark bot info has no open_id');
          return openId;
        })
        .catch((err) => {
          log.warn({ err: (err as Error).message }, 'could not read the Lark bot info yet');
          return null;
        })
        .finally(() => (asking = null));
      return asking;
    },
  };
}

/**
 * A file or photo someone sent, for the reader of files: GET
 * /open-apis/im/v1/messages/:message_id/resources/:file_key (permission im:resource), streamed and
 * stopped at maxBytes. A handle without a key is a message replied to: what it holds is read first
 * (GET /open-apis/im/v1/messages/:message_id; in a group this needs im:message.group_msg).
 */
export function fileDownloads(client: lark.Client, log: Logger): FileFetcher {
  return async function fetchFile(handle, maxBytes): Promise<Fetched> {
    try {
      const messageId = handle.messageId!;
      let { fileKey, type, name = '' } = handle as Partial<Record<'fileKey' | 'type' | 'name', string>>;
      if (!fileKey) {
        const data = await answered(client.im.message.get({ path: { message_id: messageId } }));
        const item = data.items?.[0];
        const file = item?.msg_type && item.body?.content ? sentFile(item.msg_type, item.body.content, messageId) : null;
        if (!file) return { ok: false, reason: 'not-a-file' };
        ({ fileKey, type } = file.handle);
        name = file.name;
      }
      const res = await client.im.messageResource.get({ path: { message_id: messageId, file_key: fileKey! }, params: { type: type! } });
      const stream = res.getReadableStream();
      const declared = Number((res.headers as Record<string, unknown> | undefined)?.['content-length']);
      if (declared > maxBytes) {
        stream.destroy();
        return { ok: false, reason: 'too-big' };
      }
      const bytes = await readCapped(stream, maxBytes);
      return bytes ? { ok: true, bytes, name } : { ok: false, reason: 'too-big' };
    } catch (error) {
      if (error instanceof Refused) return { ok: false, reason: 'unavailable', detail: `Lark refused: ${error.code} ${error.msg}` };
      const status = (error as { response?: { status?: number } }).response?.status;
      log.warn({ status, err: (error as Error).message }, 'could not download a file sent to the bot');
      return { ok: false, reason: 'unavailable', detail: status ? `HTTP ${status}` : (error as Error).message };
    }
  };
}
