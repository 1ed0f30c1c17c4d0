// The DingTalk robot OpenAPI: access token (cached until shortly before it expires), group and
// one-to-one sends, and the sessionWebhook. Every call has a timeout.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { SendError } from '../../lib/delivery';
import { readCapped, type Fetched } from '../../lib/files';
import type { FileReply } from '../../lib/reply';
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
  /** reminders and notices to people as work notices, under the app's AgentId; null: as robot messages */
  workNotice: { agentId: number } | null;
}

/**
 * media/upload's page allows files up to 20 MB, its error 40006 and the work notices' file say 10:
 * the lower is kept (DingTalk's open-platform documentation).
 */
export const MEDIA_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** One person's copy of a work notice: the task it went in and their staff id. */
export const noticeCopyId = (taskId: string, userId: string) => `notice:${taskId}:${userId}`;

/** The task and person of a work notice's copy; null for any other message id. */
export function noticeCopy(messageId: string): { taskId: string; userId: string } | null {
  const m = /^notice:(\d+):(.+)$/.exec(messageId);
  return m ? { taskId: m[1]!, userId: m[2]! } : null;
}

/** batchSend takes at most 20 staff ids per call (DingTalk's open-platform documentation). */
export const BATCH_LIMIT = 20;
// The old API's "try again later" (DingTalk's server error codes and its throttling page): -1
// system busy; 90002 the API's global QPS; 90005/90006 the organisation calling too often; 90018
// the app's QPS; 143103/143104 work notices per minute (the work-notice error codes). The monthly
// quota (90020), permissions and bad input will not get better.
const OAPI_RETRY_CODES = new Set([-1, 90002, 90005, 90006, 90018, 143103, 143104]);
// the token refused (40001, 40014 不合法的access_token) or expired (42001): asked anew, and the call tried again
const TOKEN_CODES = new Set([40001, 40014, 42001]);
// DingTalk tokens live 7,200 s; renew a little before
const TOKEN_MARGIN_MS = 5 * 60_000;

/** What the robot API sends: a rendering, or a file by the media id its upload was given. */
export type RobotContent = Exclude<DingtalkContent, { kind: 'file' }> | { kind: 'uploaded'; mediaId: string; fileName: string };

function message(content: RobotContent) {
  switch (content.kind) {
    case 'markdown':
      return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: content.title, text: content.markdown }) };
    case 'text':
      return { msgKey: 'sampleText', msgParam: JSON.stringify({ content: content.text }) };
    case 'uploaded':
      return { msgKey: 'sampleFile', msgParam: JSON.stringify({ mediaId: content.mediaId, fileName: content.fileName, fileType: extname(content.fileName).slice(1).toLowerCase() }) };
  }
}

/** What a failed call means for the outbox: try later, or give up. Never carries the token. */
export function asSendError(error: unknown, what: string): SendError {
  if (error instanceof SendError) return error;
  if (axios.isAxiosError(error)) {
    const status = error.response?.status;
    const body = error.response?.data as { code?: string; message?: string; errcode?: number; errmsg?: string } | undefined;
    const detail = `${what}: ${status ?? error.code ?? 'network error'}${body?.code ? ` ${body.code}` : ''}${body?.message ? ` ${body.message}` : ''}`;
    // no answer, a timeout, throttling, a server error, or an expired token: later. A 403 is
    // throttling only when it says so (QpsLimit…, QpmLimit…); the monthly quota
    // (ApiCountLimitForOrg) and a missing permission will not pass by waiting.
    const throttled = status === 403 && /^Forbidden\.AccessDenied\.Qp[sm]Limit/.test(body?.code ?? '');
    const retry = status === undefined || status >= 500 || status === 429 || throttled || status === 401;
    return new SendError(detail, { permanent: !retry });
  }
  return new SendError(`${what}: ${(error as Error)?.message ?? String(error)}`);
}

interface OapiAnswer {
  errcode?: number;
  errmsg?: string;
}

/** An errcode as the outbox takes it: DingTalk busy or throttling (try later), or anything else (give up). */
export function oapiError(what: string, answer: OapiAnswer): SendError {
  const code = answer.errcode ?? -1;
  return new SendError(`DingTalk ${what} errcode ${code}: ${answer.errmsg ?? ''}`, { permanent: !OAPI_RETRY_CODES.has(code) && !TOKEN_CODES.has(code) });
}

export function createDingtalkApi(settings: DingtalkSettings, timeoutMs: number) {
  const http: AxiosInstance = axios.create({ baseURL: settings.apiBase.replace(/\/+$/, ''), timeout: timeoutMs });
  const oapiBase = settings.oapiBase.replace(/\/+$/, '');
  let token: { value: string; expiresAt: number } | null = null;

  // one request for a token at a time: sends under way together share it (DingTalk throttles asking often)
  let asking: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const res = await http.post<{ accessToken?: string; expireIn?: number }>('/v1.0/oauth2/accessToken', { appKey: settings.appKey, appSecret: settings.appSecret });
    if (!res.data.accessToken) throw new SendError('DingTalk token: no accessToken in the answer');
    token = { value: res.data.accessToken, expiresAt: Date.now() + (res.data.expireIn ?? 7200) * 1000 - TOKEN_MARGIN_MS };
    return token.value;
  }

  function accessToken(): Promise<string> {
    if (token && Date.now() < token.expiresAt) return Promise.resolve(token.value);
    asking ??= fetchToken().finally(() => (asking = null));
    return asking;
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

  /** The older API (oapi): the token in the query string, failures as HTTP 200 with an errcode (the caller reads it). */
  async function oapi<T extends OapiAnswer>(path: string, body: unknown, params: Record<string, string> = {}): Promise<T> {
    try {
      const res = await http.post<T>(`${oapiBase}${path}`, body, { baseURL: '', params: { ...params, access_token: await accessToken() } });
      if (TOKEN_CODES.has(res.data.errcode ?? 0)) token = null;
      return res.data;
    } catch (error) {
      // an error's own message would carry the address, and with it the token
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
      const answer = await oapi<OapiAnswer & { result?: { name?: string } }>('/topapi/v2/user/get', { userid: userId, language: 'zh_CN' });
      const errcode = answer.errcode ?? -1;
      return { name: errcode === 0 ? answer.result?.name || null : null, errcode, ...(answer.errmsg ? { errmsg: answer.errmsg } : {}) };
    },

    /**
     * A file the bot made, uploaded for a robot message to carry (POST media/upload, type file):
     * DingTalk keeps it under the media id it answers with.
     */
    async upload(file: FileReply): Promise<string> {
      let bytes: Buffer;
      try {
        bytes = await readFile(file.path);
      } catch (error) {
        throw new SendError(`the file to send cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { permanent: true });
      }
      const form = new FormData();
      form.append('type', 'file');
      form.append('media', new Blob([bytes]), file.name);
      const answer = await oapi<OapiAnswer & { media_id?: string }>('/media/upload', form, { type: 'file' });
      if (answer.errcode !== 0 || !answer.media_id) throw oapiError('media/upload', answer);
      return answer.media_id;
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

    /**
     * A work notice (工作通知, POST topapi/message/corpconversation/asyncsend_v2) to people, under
     * the app's AgentId. DingTalk sends it later and answers with the task's id, by which its
     * reads are asked; the same text to the same person twice in a day it silently drops.
     */
    async workNotice(agentId: number, userIds: string[], content: Exclude<RobotContent, { kind: 'uploaded' }>): Promise<string> {
      const msg = content.kind === 'markdown' ? { msgtype: 'markdown', markdown: { title: content.title, text: content.markdown } } : { msgtype: 'text', text: { content: content.text } };
      const answer = await oapi<OapiAnswer & { task_id?: number | string }>('/topapi/message/corpconversation/asyncsend_v2', { agent_id: agentId, userid_list: userIds.join(','), msg });
      if (answer.errcode !== 0 || answer.task_id === undefined) throw oapiError('asyncsend_v2', answer);
      return String(answer.task_id);
    },

    /** Who has read a work notice so far (POST …/getsendresult; DingTalk keeps a task's results 24 hours). */
    async noticeReads(agentId: number, taskId: string): Promise<string[]> {
      const answer = await oapi<OapiAnswer & { send_result?: { read_user_id_list?: string[] } }>('/topapi/message/corpconversation/getsendresult', { agent_id: agentId, task_id: Number(taskId) });
      if (answer.errcode !== 0) throw oapiError('getsendresult', answer);
      return answer.send_result?.read_user_id_list ?? [];
    },

    toGroup: (conversationId: string, content: RobotContent) => robot('/v1.0/robot/groupMessages/send', { openConversationId: conversationId, ...message(content) }),

    /** To up to 20 people; returns the staff ids DingTalk did not know or held back. */
    toPeople: (userIds: string[], content: RobotContent) =>
      robot<{ invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>('/v1.0/robot/oToMessages/batchSend', { userIds, ...message(content) }),

    /** A reply through the sessionWebhook (text and markdown only); DingTalk reports failure with HTTP 200 and an errcode. */
    async toSession(url: string, content: Exclude<RobotContent, { kind: 'uploaded' }>): Promise<void> {
      const body = content.kind === 'markdown' ? { msgtype: 'markdown', markdown: { title: content.title, text: content.markdown } } : { msgtype: 'text', text: { content: content.text } };
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
