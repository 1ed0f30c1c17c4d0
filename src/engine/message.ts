// What every platform's receiver turns an event into. The engine never sees a platform's shapes.

export interface PlatformUser {
  /** the platform the id belongs to (on the console, any: `--as lark:ou_x`) */
  platform: string;
  userId: string;
  name?: string | undefined;
  /** the same person's id across one developer's apps, where the platform sends it (Feishu's union_id) */
  unionId?: string | undefined;
  /** the same person's id in the tenant's directory, where the platform sends it (Feishu's user_id) */
  tenantUserId?: string | undefined;
}

export interface IncomingMessage {
  /** the transport it came through, and where replies go */
  platform: string;
  eventId: string;
  /** a second delivery key where the platform has one (Lark's message_id) */
  messageId: string | null;
  /** a click on a card: the message showing it, where the platform names it (an answer given in place replaces that message's card) */
  cardMessageId?: string | undefined;
  chat: { id: string; type: 'p2p' | 'group'; title?: string | undefined };
  sender: PlatformUser;
  /** the text with the bot's own mention removed */
  text: string;
  /** people mentioned, other than the bot */
  mentions: PlatformUser[];
  /**
   * 'unsupported' for images, files and the like, which get a polite answer; 'joined' when the sender added the bot to this group; 'form' a form submitted;
   * 'left' when the platform's directory says the sender has left the organisation (made only from a verified directory event, never from what a person sends);
   * 'file' a file or photo sent to the bot (a 公文 to register, or proof after a 督办反馈)
   */
  kind: 'text' | 'unsupported' | 'joined' | 'form' | 'left' | 'file';
  /** with kind 'form': the command whose form it was, and its values by field name (a deadline's N个工作日 under the name + WORKDAYS_INPUT) */
  form?: { command: string; values: Record<string, string | string[]> } | undefined;
  /** with kind 'file': what was sent, as the platform names it; the bytes are fetched later, outside any transaction, by the platform's own download */
  file?: SentFile | undefined;
  /** the message this one answers, where the platform says (a reply to a file, mentioning the bot, asks it to read that file) */
  replyTo?: string | undefined;
  receivedAt: number;
  /** what the platform needs to answer in place (DingTalk's sessionWebhook) */
  replyContext?: Record<string, unknown> | undefined;
}

/** A file or photo someone sent: its name as sent, and the platform's handle to fetch it by (Feishu: the message and its file key). */
export interface SentFile {
  name: string;
  /** a photo: proof for a 督办反馈, never a 公文 to read */
  image: boolean;
  /** what the platform's download needs, opaque to everyone else */
  handle: Record<string, string>;
}
