// DingTalk: the HTTP callback route or the official Stream connection feeding the engine, and the sender.
import type { Logger } from 'pino';
import type { IncomingMessage } from '../../engine/message';
import type { Clock } from '../../lib/clock';
import { createDingtalkApi, type DingtalkSettings } from './client';
import { mapRobotMessage, robotMessageSchema } from './mapping';
import { createDingtalkRouter, type DingtalkInbound } from './receiver';
import { createNoticeReads, type NoticeReadsOptions } from './notice-reads';
import { createDingtalkSender } from './sender';
import { createStreamClient } from './stream';

export interface DingtalkPlatformOptions {
  settings: DingtalkSettings;
  receive: (msg: IncomingMessage) => Promise<boolean>;
  claimSignature: DingtalkInbound['claimSignature'];
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  bodyLimitBytes: number;
  /** work notices' copies still unread, to ask DingTalk about */
  awaitingRead: NoticeReadsOptions['awaitingRead'];
  /** records a read of one of the bot's messages */
  read: NoticeReadsOptions['read'];
}

export function createDingtalkPlatform(options: DingtalkPlatformOptions) {
  const { settings, receive, clock } = options;
  const log = options.log.child({ platform: 'dingtalk' });
  const api = createDingtalkApi(settings, options.timeoutMs);
  let stream: { disconnect(): void } | null = null;
  let stopped = false;

  const refusals = new Set<number>();
  const noticeReads = settings.workNotice ? createNoticeReads({ api, agentId: settings.workNotice.agentId, awaitingRead: options.awaitingRead, read: options.read, clock, log }) : null;

  return {
    sender: createDingtalkSender(api, { allowedHosts: settings.sessionWebhookHosts, workNotice: settings.workNotice }, clock, log),
    /** asks DingTalk who has read the work notices whose checks are due (null without work notices) */
    pollNoticeReads: noticeReads ? noticeReads.poll : null,
    /** a person's name by staff id; null for an anonymous sender, or when DingTalk will not say (logged once per reason) */
    async userName(userId: string): Promise<string | null> {
      if (userId.startsWith('anonymous:')) return null;
      const { name, errcode, errmsg } = await api.userName(userId);
      if (errcode !== 0 && !refusals.has(errcode)) {
        refusals.add(errcode);
        log.warn({ errcode, errmsg }, 'DingTalk would not give a user’s name: grant the app 通讯录个人信息读权限 (qyapi_get_member)');
      }
      return name;
    },
    /** files and pictures people send the robot */
    files: api.download,
    router: settings.mode === 'webhook' ? createDingtalkRouter({ appSecret: settings.appSecret, inbound: { receive, claimSignature: options.claimSignature }, clock, log, bodyLimitBytes: options.bodyLimitBytes }) : null,

    async start(): Promise<void> {
      noticeReads?.start();
      if (settings.mode !== 'stream') return;
      const { TOPIC_ROBOT } = await import('dingtalk-stream');
      const client = await createStreamClient({ clientId: settings.appKey, clientSecret: settings.appSecret }, () => stopped, log);
      client.registerCallbackListener(TOPIC_ROBOT, (res) => {
        // unanswered callbacks are pushed again about a minute later: answered once the inbox holds
        // the message, or when it can never be one; a message not stored is left to come again
        const answer = () => client.socketCallBackResponse(res.headers.messageId, { status: 'SUCCESS' });
        let body;
        try {
          body = robotMessageSchema.safeParse(JSON.parse(res.data));
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'DingTalk stream message dropped');
          return answer();
        }
        if (!body.success) {
          log.warn('DingTalk stream message dropped: not a robot message');
          return answer();
        }
        const data = body.data;
        Promise.resolve()
          .then(() => receive(mapRobotMessage(data, clock.now())))
          .then(answer, (err) => log.error({ err }, 'DingTalk stream message not stored; DingTalk will push it again'));
      });
      stream = client;
      await client.connect();
    },

    async stop(): Promise<void> {
      stopped = true;
      stream?.disconnect();
      await noticeReads?.stop();
    },
  };
}
