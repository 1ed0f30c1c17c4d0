// POST /webhook/lark/event and /webhook/lark/card. Verified over the raw bytes, stored in the
// inbox, acknowledged; the command runs after the acknowledgement. A card click is the one
// exception: Lark wants its answer (toast + updated card) in the response, within 3 seconds.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { webhookJson } from '../../lib/webhook-json';
import type { IncomingMessage } from '../../engine/message';
import type { Clock } from '../../lib/clock';
import type { Reply } from '../../lib/reply';
import type { LarkSettings } from './client';
import { decryptBody, signatureMatches } from './crypto';
import { envelopeSchema, MalformedEvent, mapBotAddedEvent, mapCardAction, mapMenuEvent, mapMessageEvent, mapReadEvent, mapUserDeletedEvent, type Envelope, type MessagesRead } from './mapping';
import { larkCard, larkFormCard } from './render';

export interface LarkInbound {
  /** stores the event (resolves once committed); false for a redelivery */
  receive(msg: IncomingMessage): Promise<boolean>;
  /** stores and carries out now (resolves once committed); null for a redelivery, a failure left to the worker, or one another process took up */
  runNow(msg: IncomingMessage): Promise<{ replies: Reply[]; ok: boolean } | null>;
  /** the bot's open_id; null while Lark has not told it */
  botOpenId(): Promise<string | null>;
  /** whether a chat is a private one, as Lark says (a group when Lark cannot say: the narrower scope) */
  chatType(chatId: string): Promise<'p2p' | 'group'>;
  /** records what someone read of the bot's messages (resolves once committed); the same read again changes nothing */
  read(r: MessagesRead): Promise<void>;
}

type Verified = { kind: 'challenge'; challenge: string } | { kind: 'envelope'; envelope: Envelope } | { kind: 'refused'; status: number; reason: string };

// Only a URL challenge comes unsigned (Feishu's open-platform documentation), and encrypted it is
// under 300 bytes: a larger unsigned body is refused on its size, unparsed and undecrypted.
const MAX_UNSIGNED_BYTES = 4096;

/** Checks a body the way Feishu's open-platform documentation says: signature with an Encrypt Key, token without; `check.now` and `check.maxAgeMs` bound a signed request's age. */
export function verify(settings: LarkSettings, raw: Buffer, header: (name: string) => string | undefined, check: { now: number; maxAgeMs: number }): Verified {
  const { encryptKey, verificationToken } = settings;
  // What the raw bytes and headers can settle is settled before any parsing: a forged body costs
  // a hash, not a parse of a megabyte.
  const signature = header('x-lark-signature');
  const timestamp = header('x-lark-request-timestamp');
  if (encryptKey && signature !== undefined) {
    if (!signatureMatches(signature, timestamp, header('x-lark-request-nonce'), encryptKey, raw)) return { kind: 'refused', status: 401, reason: 'bad signature' };
    // event ids are remembered for maxAgeMs: an older signed request could be a replay nobody would recognise
    const sentAt = Number(timestamp) * 1000;
    if (Number.isFinite(sentAt) && sentAt > 0 && check.now - sentAt > check.maxAgeMs) return { kind: 'refused', status: 401, reason: 'signed too long ago' };
  }
  if (encryptKey && signature === undefined && raw.length > MAX_UNSIGNED_BYTES) return { kind: 'refused', status: 401, reason: 'missing signature' };
  // Without an Encrypt Key the token is inside the body; a body that does not hold it anywhere is
  // refused before it is parsed (Lark's tokens are letters and digits, which JSON never escapes).
  if (!encryptKey && verificationToken && !raw.includes(verificationToken)) return { kind: 'refused', status: 401, reason: 'wrong verification token' };
  const parsed = webhookJson(raw);
  if (!parsed.ok) return { kind: 'refused', status: 400, reason: parsed.reason };
  let body: object = parsed.value;

  const encrypted = (body as { encrypt?: unknown }).encrypt;
  if (encryptKey) {
    if (typeof encrypted !== 'string') return { kind: 'refused', status: 401, reason: 'plain body while an Encrypt Key is configured' };
    // URL verification carries no signature headers; everything else must be signed (checked above)
    const signed = signature !== undefined;
    const decrypted = decryptBody(encryptKey, encrypted);
    if (decrypted === null || typeof decrypted !== 'object') return { kind: 'refused', status: signed ? 400 : 401, reason: 'cannot decrypt' };
    body = decrypted;
    const challenge = challengeOf(body);
    if (challenge !== null) return { kind: 'challenge', challenge };
    if (!signed) return { kind: 'refused', status: 401, reason: 'missing signature' };
  } else {
    if (typeof encrypted === 'string') return { kind: 'refused', status: 400, reason: 'encrypted body but LARK_ENCRYPT_KEY is not set' };
    const b = body as { token?: unknown; header?: { token?: unknown } };
    const token = b.header?.token ?? b.token;
    if (verificationToken && token !== verificationToken) return { kind: 'refused', status: 401, reason: 'wrong verification token' };
    const challenge = challengeOf(body);
    if (challenge !== null) return { kind: 'challenge', challenge };
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'refused', status: 400, reason: 'not a schema 2.0 event' };
  return { kind: 'envelope', envelope: envelope.data };
}

function challengeOf(body: object): string | null {
  const b = body as { type?: unknown; challenge?: unknown };
  return b.type === 'url_verification' && typeof b.challenge === 'string' ? b.challenge : null;
}

/**
 * What an event asks of the engine, or null for one it does not (a group message not meant for the
 * bot, an event type the bot does not take): a message, a bot menu choice as the command its key
 * stands for, the bot's arrival in a group, or someone leaving the organisation. A read of the bot's
 * messages is recorded here, through `inbound.read`, and asks nothing of the engine. Shared by the webhook and the long connection.
 */
export async function incomingOf(envelope: Envelope, on: { settings: LarkSettings; inbound: Pick<LarkInbound, 'botOpenId' | 'read'>; clock: Clock; log: Logger }): Promise<IncomingMessage | null> {
  switch (envelope.header.event_type) {
    case 'im.message.receive_v1': {
      const mapped = mapMessageEvent(envelope, await on.inbound.botOpenId(), on.clock.now());
      return mapped.kind === 'message' ? mapped.message : null;
    }
    case 'application.bot.menu_v6': {
      const { message, key, command } = mapMenuEvent(envelope, on.settings.menu, on.clock.now());
      if (command === null) on.log.warn({ eventKey: key }, 'bot menu key not in LARK_MENU: answered with the greeting');
      return message;
    }
    case 'im.chat.member.bot.added_v1':
      return mapBotAddedEvent(envelope, on.clock.now());
    case 'contact.user.deleted_v3':
      return mapUserDeletedEvent(envelope, on.clock.now());
    // not for the engine: a read is recorded as it comes, before the acknowledgement
    case 'im.message.message_read_v1':
      await on.inbound.read(mapReadEvent(envelope));
      return null;
    default:
      return null;
  }
}

/** The answer to a card click: a toast, and the card (or the form, refused or to fill in) the command replied with. */
export function cardResponse(result: { replies: Reply[]; ok: boolean } | null): Record<string, unknown> {
  if (!result) return { toast: { type: 'info', content: '已处理' } };
  const shown = result.replies.find((r): r is Extract<Reply, { card: unknown } | { form: unknown }> => 'card' in r || 'form' in r);
  const words = result.replies.find((r): r is Extract<Reply, { text: string }> => 'text' in r)?.text ?? (shown && 'form' in shown ? shown.form.error : undefined);
  const toast = { type: result.ok ? 'success' : 'error', content: (words ?? (result.ok ? '已完成' : '未完成')).slice(0, 200) };
  if (!shown) return { toast };
  return { toast, card: { type: 'raw', data: 'card' in shown ? larkCard(shown.card) : larkFormCard(shown.form) } };
}

export function createLarkRouter(options: { settings: LarkSettings; inbound: LarkInbound; clock: Clock; log: Logger; bodyLimitBytes: number; maxAgeMs: number }): Router {
  const { settings, inbound, clock, log } = options;
  const router = Router();
  const read = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  // an unsigned body that says it is larger than a challenge is refused before it is even read
  const raw = (req: Request, res: Response, next: NextFunction) => {
    if (settings.encryptKey && req.get('x-lark-signature') === undefined && Number(req.get('content-length')) > MAX_UNSIGNED_BYTES) {
      log.warn({ path: req.path, status: 401, reason: 'missing signature' }, 'Lark request refused');
      // closed, so Node does not read the unread megabyte only to throw it away
      res.set('connection', 'close').status(401).json({ error: 'missing signature' });
      return;
    }
    read(req, res, next);
  };

  function checked(req: Request, res: Response): Envelope | null {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const v = verify(settings, body, (name) => req.get(name), { now: clock.now(), maxAgeMs: options.maxAgeMs });
    if (v.kind === 'refused') {
      log.warn({ path: req.path, status: v.status, reason: v.reason }, 'Lark request refused');
      res.status(v.status).json({ error: v.reason });
      return null;
    }
    if (v.kind === 'challenge') {
      res.json({ challenge: v.challenge });
      return null;
    }
    return v.envelope;
  }

  router.post('/lark/event', raw, async (req, res) => {
    const envelope = checked(req, res);
    if (!envelope) return;
    try {
      const message = await incomingOf(envelope, { settings, inbound, clock, log });
      const fresh = message ? await inbound.receive(message) : false;
      log.debug({ event: envelope.header.event_id, type: envelope.header.event_type, fresh }, 'Lark event');
      res.json({});
    } catch (error) {
      if (!(error instanceof MalformedEvent)) throw error;
      res.status(400).json({ error: 'malformed event' });
    }
  });

  router.post('/lark/card', raw, async (req, res) => {
    const envelope = checked(req, res);
    if (!envelope) return;
    if (envelope.header.event_type !== 'card.action.trigger') {
      res.json({});
      return;
    }
    try {
      const msg = await mapCardAction(envelope, clock.now(), inbound.chatType);
      if (!msg) {
        res.json({ toast: { type: 'error', content: '无法识别的按钮' } });
        return;
      }
      res.json(cardResponse(await inbound.runNow(msg)));
    } catch (error) {
      if (!(error instanceof MalformedEvent)) throw error;
      res.status(400).json({ error: 'malformed event' });
    }
  });

  return router;
}
