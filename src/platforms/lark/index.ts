// Feishu/Lark: webhook routes or the SDK's long connection feeding the engine, and the sender.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock';
import { botIdentity, chatModes, createLarkClient, createLarkWsClient, departmentDirectory, fileDownloads, userNames, type LarkSettings } from './client';
import { MalformedEvent, mapCardAction, type Envelope } from './mapping';
import { cardResponse, createLarkRouter, incomingOf, type LarkInbound } from './receiver';
import { createLarkSender } from './sender';
import type { UrgentOptions } from './urgent';

export interface LarkPlatformOptions {
  settings: LarkSettings;
  inbound: Omit<LarkInbound, 'botOpenId' | 'chatType'>;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  bodyLimitBytes: number;
  /** how long redeliveries are recognised: a signed request older than this is refused */
  maxAgeMs: number;
  /** takes an urgent alert's keys for a person before it is made (the alert is made once) */
  urgentOnce: UrgentOptions['once'];
}

/** The long connection hands handlers the envelope flattened (Feishu's open-platform documentation); put it back. */
export function envelopeOf(data: Record<string, unknown>, eventType: string): Envelope {
  const { schema: _schema, event_id, event_type: _type, create_time: _created, token: _token, app_id: _app, tenant_key: _tenant, ...event } = data;
  return { schema: '2.0', header: { event_id: String(event_id ?? ''), event_type: eventType }, event };
}

export function createLarkPlatform(options: LarkPlatformOptions) {
  const { settings, clock, log } = options;
  const platformLog = log.child({ platform: 'lark' });
  const client = createLarkClient(settings, options.timeoutMs, platformLog);
  const bot = botIdentity(client, platformLog);
  // Until Lark has told the bot its open_id (normally at start), an event waits up to a second for
  // it, keeping well inside Lark's 3-second acknowledgement limit.
  const botOpenId = async () =>
    bot.known() ?? Promise.race([bot.fetch(), new Promise<null>((r) => setTimeout(r, 1000, null).unref())]);
  const inbound: LarkInbound = { ...options.inbound, botOpenId, chatType: chatModes(client, platformLog) };
  let ws: lark.WSClient | null = null;
  let stopped = false;

  const onWsEvent = (eventType: string) => async (data: Record<string, unknown>): Promise<void> => {
    try {
      const message = await incomingOf(envelopeOf(data, eventType), { settings, inbound, clock, log: platformLog });
      if (message) await inbound.receive(message);
    } catch (error) {
      // a throw makes Lark push the event again (Feishu's open-platform documentation): right when it could not
      // be stored, endless for one that can never be read
      if (!(error instanceof MalformedEvent)) throw error;
      platformLog.warn({ err: error.message }, 'Lark event dropped');
    }
  };

  async function onWsCard(data: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      const msg = await mapCardAction(envelopeOf(data, 'card.action.trigger'), clock.now(), inbound.chatType);
      return msg ? cardResponse(await inbound.runNow(msg)) : { toast: { type: 'error', content: '无法识别的按钮' } };
    } catch (error) {
      platformLog.warn({ err: error instanceof MalformedEvent ? error.message : error }, 'Lark card callback dropped');
      return { toast: { type: 'error', content: '处理失败，请稍后重试' } };
    }
  }

  return {
    sender: createLarkSender(client, { levels: settings.urgent ?? ['app'], once: options.urgentOnce, log: platformLog }),
    /** a person's name by their open_id, for the people an event names by id only */
    userName: userNames(client, platformLog),
    /** the departments the app may see, for 单位同步 */
    departments: departmentDirectory(client),
    /** files and photos people send the bot */
    files: fileDownloads(client, platformLog),
    router: settings.mode === 'webhook' ? createLarkRouter({ settings, inbound, clock, log: platformLog, bodyLimitBytes: options.bodyLimitBytes, maxAgeMs: options.maxAgeMs }) : null,

    async start(): Promise<void> {
      // the configuration refuses neither-nor; a token alone is a static secret, unsigned and undated
      if (!settings.encryptKey && settings.mode === 'webhook') {
        platformLog.warn('LARK_ENCRYPT_KEY is not set: events are checked by the verification token only (no signature, no timestamp); set an Encrypt Key in 事件与回调 → 加密策略');
      }
      // the bot's open_id is needed to recognise mentions; ask in the background until Lark answers
      const ask = (): void => void bot.fetch().then((id) => (id || stopped ? undefined : void setTimeout(ask, 30_000).unref()));
      ask();
      if (settings.mode === 'websocket') {
        ws = createLarkWsClient(settings, platformLog);
        const dispatcher = new lark.EventDispatcher({}).register<{
          'im.message.receive_v1': (d: Record<string, unknown>) => Promise<void>;
          'application.bot.menu_v6': (d: Record<string, unknown>) => Promise<void>;
          'im.chat.member.bot.added_v1': (d: Record<string, unknown>) => Promise<void>;
          'contact.user.deleted_v3': (d: Record<string, unknown>) => Promise<void>;
          'im.message.message_read_v1': (d: Record<string, unknown>) => Promise<void>;
          'card.action.trigger': (d: Record<string, unknown>) => Promise<Record<string, unknown>>;
        }>({
          'im.message.receive_v1': onWsEvent('im.message.receive_v1'),
          'application.bot.menu_v6': onWsEvent('application.bot.menu_v6'),
          'im.chat.member.bot.added_v1': onWsEvent('im.chat.member.bot.added_v1'),
          'contact.user.deleted_v3': onWsEvent('contact.user.deleted_v3'),
          'im.message.message_read_v1': onWsEvent('im.message.message_read_v1'),
          'card.action.trigger': onWsCard,
        });
        await ws.start({ eventDispatcher: dispatcher });
      }
    },

    stop(): void {
      stopped = true;
      ws?.close();
    },
  };
}

export type LarkPlatform = ReturnType<typeof createLarkPlatform>;
