// The DingTalk robot OpenAPI: access token (cached until shortly before it expires), group and
// one-to-one sends, and the sessionWebhook. Every call has a timeout.
import axios, { type AxiosInstance } from 'axios';
import { SendError } from '../../lib/delivery';
import { readCapped, type Fetched } from '../../lib/files';
import type { DingtalkContent } from './render';

export interface DingtalkSettings {
  appKey: string;
  appSecret: string;
  robotCode: string;
  apiBase: string;
  /** the older API (topapi), where a person's name is read by staff id */
  oapiBase: string;
  sessionWebhookHosts: string[];
  mode: 'webhook' | 'stream';
}

/** batchSend takes at most 20 staff ids per call (DingTalk's open-platform documentation). */
export const BATCH_LIMIT = 20;
// DingTalk tokens live 7,200 s; renew a little before
const TOKEN_MARGIN_MS = 5 * 60_000;

function message(content: DingtalkContent) {
  return content.markdown !== null
    ? { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: content.title, text: content.markdown }) }
    : { msgKey: 'sampleText', msgParam: JSON.stringify({ content: content.text }) };
}

/** What a failed call means for the outbox: try later, or give up. Never carries the token. */
export function asSendError(error: unknown, what: string): SendError {
  if (error instanceof SendError) return error;
  if (axios.isAxiosError(error)) {
    const status = error.response?.status;
    const body = error.response?.data as { code?: string; message?: string; errcode?: number; errmsg?: string } | undefined;
    const detail = `${what}: ${status ?? error.code ?? 'network error'}${body?.code ? ` ${body.code}` : ''}${body?.message ? ` ${body.message}` : ''}`;
    // no answer, a timeout, throttling (403/429), a server error, or an expired token: later
    const retry = status === undefined || status >= 500 || status === 429 || status === 403 || status === 401;
    return new SendError(detail, { permanent: !retry });
  }
  return new SendError(`${what}: ${(error as Error)?.message ?? String(error)}`);
}

export function createDingtalkApi(settings: DingtalkSettings, timeoutMs: number) {
  const http: AxiosInstance = axios.create({ baseURL: settings.apiBase.replace(/\/+$/, ''), timeout: timeoutMs });
  let token: { value: string; expiresAt: number } | null = null;

  async function accessToken(): Promise<string> {
    if (token && Date.now() < token.expiresAt) return token.value;
    const res = await http.post<{ accessToken?: string; expireIn?: number }>('/v1.0/oauth2/accessToken', { appKey: settings.appKey, appSecret: settings.appSecret });
    if (!res.data.accessToken) throw new SendError('DingTalk token: no accessToken in the answer');
    token = { value: res.data.accessToken, expiresAt: Date.now() + (res.data.expireIn ?? 7200) * 1000 - TOKEN_MARGIN_MS };
    return token.value;
  }

  async function robot<T>(path: string, body: Record<string, unknown>): Promise<T> {
    try {
      const res = await http.post<T>(path, { robotCode: settings.robotCode, ...body }, { headers: { 'x-acs-dingtalk-access-token': await accessToken() } });
      return res.data;
    } catch (error) {
      if (axios.isAxiosError(error) && error.response?.status === 401) token = null;
      throw asSendError(error, `DingTalk ${path}`);
    }
  }

  return {
    /**
     * A person's name by staff id (POST topapi/v2/user/get; permission 通讯录个人信息读权限):
     * a robot message names its sender, but someone granted by id has not written yet. The errcode
     * when DingTalk will not say.
     */
    async userName(userId: string): Promise<{ name: string | null; errcode: number; errmsg?: string }> {
      let res;
      try {
        res = await http.post<{ errcode?: number; errmsg?: string; result?: { name?: string } }>(
          `${settings.oapiBase.replace(/\/+$/, '')}/topapi/v2/user/get`,
          { userid: userId, language: 'zh_CN' },
          { baseURL: '', params: { access_token: await accessToken() } },
        );
      } catch (error) {
        // the old API takes the token in the query string: an error's own message would carry it
        throw asSendError(error, 'DingTalk topapi/v2/user/get');
      }
      const errcode = res.data.errcode ?? -1;
      return { name: errcode === 0 ? res.data.result?.name || null : null, errcode, ...(res.data.errmsg ? { errmsg: res.data.errmsg } : {}) };
    },

    /**
     * A file or picture someone sent the robot: its download code exchanged for a short-lived URL
     * (POST /v1.0/robot/messageFiles/download), then read from it up to maxBytes.
     */
    async download(handle: Readonly<Record<string, string>>, maxBytes: number): Promise<Fetched> {
      let url: string | undefined;
      try {
        url = (await robot<{ downloadUrl?: string }>('/v1.0/robot/messageFiles/download', { downloadCode: handle.downloadCode })).downloadUrl;
      } catch (error) {
        return { ok: false, reason: 'unavailable', detail: (error as Error).message };
      }
      if (!url) return { ok: false, reason: 'unavailable', detail: 'DingTalk gave no downloadUrl' };
      try {
        const res = await http.get<NodeJS.ReadableStream & { destroy(): void }>(url, { baseURL: '', responseType: 'stream', timeout: timeoutMs });
        if (Number(res.headers['content-length']) > maxBytes) {
          res.data.destroy();
          return { ok: false, reason: 'too-big' };
        }
        const bytes = await readCapped(res.data, maxBytes);
        return bytes ? { ok: true, bytes, name: '' } : { ok: false, reason: 'too-big' };
      } catch (error) {
        // the URL is signed: never in the log
        return { ok: false, reason: 'unavailable', detail: `download: ${axios.isAxiosError(error) ? (error.response?.status ?? error.code) : (error as Error).message}` };
      }
    },

    toGroup: (conversationId: string, content: DingtalkContent) => robot('/v1.0/robot/groupMessages/send', { openConversationId: conversationId, ...message(content) }),

    /** To up to 20 people; returns the staff ids DingTalk did not know or held back. */
    toPeople: (userIds: string[], content: DingtalkContent) =>
      robot<{ invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>('/v1.0/robot/oToMessages/batchSend', { userIds, ...message(content) }),

    /** A reply through the sessionWebhook; DingTalk reports failure with HTTP 200 and an errcode. */
    async toSession(url: string, content: DingtalkContent): Promise<void> {
      const body = content.markdown !== null ? { msgtype: 'markdown', markdown: { title: content.title, text: content.markdown } } : { msgtype: 'text', text: { content: content.text } };
      let answer: { errcode?: number; errmsg?: string };
      try {
        answer = (await http.post(url, body, { baseURL: '' })).data;
      } catch (error) {
        throw asSendError(error, 'DingTalk sessionWebhook');
      }
      if (answer?.errcode !== 0) throw new SendError(`DingTalk sessionWebhook errcode ${answer?.errcode}: ${answer?.errmsg ?? ''}`);
    },
  };
}

export type DingtalkApi = ReturnType<typeof createDingtalkApi>;
