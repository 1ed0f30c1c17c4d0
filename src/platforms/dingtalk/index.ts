// DingTalk: the HTTP callback route or the official Stream connection feeding the engine, and the sender.
import type { Logger } from 'pino';
import type { IncomingMessage } from '../../engine/message';
import type { Clock } from '../../lib/clock';
import { createDingtalkApi, type DingtalkSettings } from './client';
import { mapRobotMessage, robotMessageSchema } from './mapping';
import { createDingtalkRouter } from './receiver';
import { createDingtalkSender } from './sender';

export interface DingtalkPlatformOptions {
  settings: DingtalkSettings;
  receive: (msg: IncomingMessage) => boolean;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  bodyLimitBytes: number;
}

export function createDingtalkPlatform(options: DingtalkPlatformOptions) {
  const { settings, receive, clock } = options;
  const log = options.log.child({ platform: 'dingtalk' });
  const api = createDingtalkApi(settings, options.timeoutMs);
  let stream: { disconnect(): void } | null = null;

  return {
    sender: createDingtalkSender(api, settings.sessionWebhookHosts, clock, log),
    router: settings.mode === 'webhook' ? createDingtalkRouter({ appSecret: settings.appSecret, receive, clock, log, bodyLimitBytes: options.bodyLimitBytes }) : null,

    async start(): Promise<void> {
      if (settings.mode !== 'stream') return;
      const { DWClient, TOPIC_ROBOT } = await import('dingtalk-stream');
      const client = new DWClient({ clientId: settings.appKey, clientSecret: settings.appSecret });
      client.registerCallbackListener(TOPIC_ROBOT, (res) => {
        try {
          const body = robotMessageSchema.safeParse(JSON.parse(res.data));
          if (body.success) receive(mapRobotMessage(body.data, clock.now()));
          else log.warn('DingTalk stream message dropped: not a robot message');
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'DingTalk stream message dropped');
        } finally {
          // unanswered callbacks are pushed again about a minute later; the inbox holds it now
          client.socketCallBackResponse(res.headers.messageId, { status: 'SUCCESS' });
        }
      });
      await client.connect();
      stream = client;
    },

    stop(): void {
      stream?.disconnect();
    },
  };
}
