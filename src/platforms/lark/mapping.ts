// Lark events → IncomingMessage. Bodies are untrusted: every shape is checked before use.
import { z } from 'zod';
import type { IncomingMessage, PlatformUser, SentFile } from '../../engine/message';
import { formValueSchema, submittedValues } from './form';

export const envelopeSchema = z.object({
  schema: z.literal('2.0'),
  header: z.object({ event_id: z.string().min(1).max(200), event_type: z.string().max(200), token: z.string().optional() }),
  event: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof envelopeSchema>;

// a person's ids as Feishu sends them: open_id (this app's), and where given union_id and user_id
const idsSchema = z.object({ open_id: z.string().min(1).max(200), union_id: z.string().max(200).optional(), user_id: z.string().max(200).optional() });

/** A person by their open_id, with the other ids Feishu sent beside it. */
function personOf(ids: z.infer<typeof idsSchema>, name?: string): PlatformUser {
  return {
    platform: 'lark',
    userId: ids.open_id,
    ...(name ? { name } : {}),
    ...(ids.union_id ? { unionId: ids.union_id } : {}),
    ...(ids.user_id ? { tenantUserId: ids.user_id } : {}),
  };
}

const mentionSchema = z.object({
  key: z.string(),
  id: z.object({ open_id: z.string().optional() }).optional(),
  name: z.string().optional(),
});

const messageEventSchema = z.object({
  sender: z.object({ sender_id: idsSchema, sender_type: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1).max(200),
    chat_id: z.string().min(1).max(200),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z.array(mentionSchema).optional(),
    parent_id: z.string().max(200).optional(),
  }),
});

const cardEventSchema = z.object({
  operator: idsSchema,
  // a form's submit button also sends what was entered, by element name
  action: z.object({ value: z.unknown(), form_value: z.record(z.string(), z.unknown()).optional() }),
  context: z.object({ open_chat_id: z.string().optional(), open_message_id: z.string().max(200).optional() }).optional(),
});

const menuEventSchema = z.object({
  operator: z.object({ operator_name: z.string().max(200).optional(), operator_id: idsSchema }),
  event_key: z.string().max(200),
});

/**
 * application.bot.menu_v6 → the command the menu item stands for (LARK_MENU), sent as the person
 * who chose it, in their private chat with the bot (the event names no chat: the reply goes to
 * them by open_id). `command` is null for a key LARK_MENU does not know; the message is then
 * empty, and answered with the greeting that points to 帮助.
 */
export function mapMenuEvent(envelope: Envelope, menu: Readonly<Record<string, string>>, receivedAt: number): { message: IncomingMessage; key: string; command: string | null } {
  const { operator, event_key: key } = parse(menuEventSchema, envelope.event);
  const openId = operator.operator_id.open_id;
  const command = Object.hasOwn(menu, key) ? menu[key]! : null;
  return {
    key,
    command,
    message: {
      platform: 'lark',
      eventId: envelope.header.event_id,
      messageId: null,
      chat: { id: `p2p:${openId}`, type: 'p2p' },
      sender: personOf(operator.operator_id, operator.operator_name),
      text: command ?? '',
      mentions: [],
      kind: 'text',
      receivedAt,
    },
  };
}

const botAddedEventSchema = z.object({
  chat_id: z.string().min(1).max(200),
  operator_id: idsSchema,
  name: z.string().max(500).optional(),
});

/** im.chat.member.bot.added_v1 → the bot joined that group, added by the operator (what follows is the engine's to decide). */
export function mapBotAddedEvent(envelope: Envelope, receivedAt: number): IncomingMessage {
  const { chat_id: chatId, operator_id: operator, name } = parse(botAddedEventSchema, envelope.event);
  return {
    platform: 'lark',
    eventId: envelope.header.event_id,
    messageId: null,
    chat: { id: chatId, type: 'group', ...(name ? { title: name } : {}) },
    sender: personOf(operator),
    text: '',
    mentions: [],
    kind: 'joined',
    receivedAt,
  };
}

const userDeletedEventSchema = z.object({ object: idsSchema.extend({ name: z.string().max(200).optional() }) });

/**
 * contact.user.deleted_v3 → the person has left the organisation (what follows is the engine's to
 * decide). Kind 'left' is made here only, from a verified directory event: nothing a person sends
 * becomes one.
 */
export function mapUserDeletedEvent(envelope: Envelope, receivedAt: number): IncomingMessage {
  const { object } = parse(userDeletedEventSchema, envelope.event);
  return {
    platform: 'lark',
    eventId: envelope.header.event_id,
    messageId: null,
    chat: { id: `p2p:${object.open_id}`, type: 'p2p' },
    sender: personOf(object, object.name),
    text: '',
    mentions: [],
    kind: 'left',
    receivedAt,
  };
}

const readEventSchema = z.object({
  reader: z.object({ reader_id: idsSchema, read_time: z.string().regex(/^\d{1,15}$/) }),
  message_id_list: z.array(z.string().min(1).max(200)).max(1000),
});

/** What someone has read of the bot's one-to-one messages. */
export interface MessagesRead {
  userId: string;
  messageIds: string[];
  /** when, as Feishu says (epoch milliseconds) */
  readAt: number;
}

/** im.message.message_read_v1 → who read which of the bot's private messages, and when. */
export function mapReadEvent(envelope: Envelope): MessagesRead {
  const { reader, message_id_list: messageIds } = parse(readEventSchema, envelope.event);
  return { userId: reader.reader_id.open_id, messageIds, readAt: Number(reader.read_time) };
}

/** What a button carries: the command it sends and the kind of chat its card was sent to. */
// only the command: what a button's value says of its chat is not to be believed (a crafted value
// could claim a private chat's scope in a closed group); the chat comes from the event's context
export const buttonValueSchema = z.object({ command: z.string().min(1).max(2000) });
export type ButtonValue = z.infer<typeof buttonValueSchema>;

export class MalformedEvent extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new MalformedEvent(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

const fileContentSchema = z.object({ file_key: z.string().min(1).max(500), file_name: z.string().max(500).optional() });
const imageContentSchema = z.object({ image_key: z.string().min(1).max(500) });

/** A file or image message as a file to fetch (its message id and key, which the resource download takes); null for anything else. */
export function sentFile(type: string, content: string, messageId: string): SentFile | null {
  let body: unknown;
  try {
    body = JSON.parse(content);
  } catch {
    return null;
  }
  if (type === 'file') {
    const f = fileContentSchema.safeParse(body);
    return f.success ? { name: f.data.file_name ?? '', image: false, handle: { messageId, fileKey: f.data.file_key, type: 'file' } } : null;
  }
  if (type === 'image') {
    const i = imageContentSchema.safeParse(body);
    return i.success ? { name: '图片', image: true, handle: { messageId, fileKey: i.data.image_key, type: 'image' } } : null;
  }
  return null;
}

/** The text of a text or post message, or null for anything else (images, files, stickers …). */
function plainText(type: string, content: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(content);
  } catch {
    return null;
  }
  if (type === 'text') return typeof (body as { text?: unknown })?.text === 'string' ? (body as { text: string }).text : null;
  if (type === 'post') {
    const rows = (body as { content?: unknown })?.content;
    if (!Array.isArray(rows)) return null;
    return rows
      .map((row) =>
        Array.isArray(row)
          ? row.map((el) => (el?.tag === 'text' && typeof el.text === 'string' ? el.text : el?.tag === 'at' && typeof el.user_id === 'string' ? el.user_id : '')).join('')
          : '',
      )
      .join('\n');
  }
  return null;
}

export type MappedMessage = { kind: 'message'; message: IncomingMessage } | { kind: 'ignored'; reason: string };

/**
 * im.message.receive_v1 → IncomingMessage. `botOpenId` (null while unknown) tells the bot's own
 * mention, which is removed, from people's, which are kept for 授权 @某人.
 */
export function mapMessageEvent(envelope: Envelope, botOpenId: string | null, receivedAt: number): MappedMessage {
  const { sender, message } = parse(messageEventSchema, envelope.event);
  if (sender.sender_type && sender.sender_type !== 'user') return { kind: 'ignored', reason: 'not from a person' };
  const group = message.chat_type !== 'p2p';
  const mentions = message.mentions ?? [];
  const isBot = (m: z.infer<typeof mentionSchema>) => botOpenId !== null && m.id?.open_id === botOpenId;
  // without the bot's id (its info call failing) a group message that mentions anyone is taken as meant for it
  const addressed = !group || (botOpenId ? mentions.some(isBot) : mentions.length > 0);
  if (!addressed) return { kind: 'ignored', reason: 'group message without a mention of the bot' };

  const people: PlatformUser[] = [];
  let text = plainText(message.message_type, message.content);
  const file = text === null ? sentFile(message.message_type, message.content, message.message_id) : null;
  for (const m of mentions) {
    const openId = m.id?.open_id;
    const replacement = isBot(m) || !openId ? '' : m.name && !/\s/.test(m.name) ? `@${m.name}` : `@lark:${openId}`;
    if (openId && !isBot(m)) people.push({ platform: 'lark', userId: openId, name: m.name });
    if (text !== null) text = text.split(m.key).join(replacement);
  }
  return {
    kind: 'message',
    message: {
      platform: 'lark',
      eventId: envelope.header.event_id,
      messageId: message.message_id,
      chat: { id: message.chat_id, type: group ? 'group' : 'p2p' },
      sender: personOf(sender.sender_id),
      text: (text ?? '').replace(/@_all/g, '').trim(),
      mentions: people,
      kind: file ? 'file' : text === null ? 'unsupported' : 'text',
      ...(file ? { file } : {}),
      // a reply to a file, mentioning the bot, asks it to read that file (a file in a group cannot mention anyone)
      ...(message.parent_id ? { replyTo: message.parent_id } : {}),
      receivedAt,
    },
  };
}

/**
 * card.action.trigger → the button's command, or the form submitted with its values, sent as the
 * person who clicked. Null for a value that is not ours.
 */
export async function mapCardAction(envelope: Envelope, receivedAt: number, chatType: (chatId: string) => Promise<'p2p' | 'group'>): Promise<IncomingMessage | null> {
  const { operator, action, context } = parse(cardEventSchema, envelope.event);
  const button = buttonValueSchema.safeParse(action.value);
  const form = action.form_value ? formValueSchema.safeParse(action.value) : null;
  if (!button.success && !form?.success) return null;
  const chatId = context?.open_chat_id;
  const what = form?.success
    ? { text: form.data.form, kind: 'form' as const, form: { command: form.data.form, values: submittedValues(form.data, action.form_value!) } }
    : { text: button.data!.command, kind: 'text' as const };
  return {
    platform: 'lark',
    eventId: envelope.header.event_id,
    // not the card's message id: every click on one card is a request of its own (a form refused,
    // then submitted again; 批准延期, later 办结), which that id would take for a redelivery
    messageId: null,
    cardMessageId: context?.open_message_id,
    chat: chatId ? { id: chatId, type: await chatType(chatId) } : { id: `p2p:${operator.open_id}`, type: 'p2p' },
    sender: personOf(operator),
    mentions: [],
    receivedAt,
    ...what,
  };
}
