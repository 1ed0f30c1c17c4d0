// The platform-neutral reply model. Each platform renders it its own way: a Lark interactive
// card, DingTalk markdown, plain text on the console.

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface CardAction {
  label: string;
  /** the command a click sends back, exactly as if typed */
  command: string;
  /** offered instead to someone who may not run the command (a leader shown 查看 where a unit is shown 办结) */
  fallback?: { label: string; command: string };
}

export interface Card {
  title: string;
  tone: Tone;
  /** light markdown: **bold** and line breaks only */
  lines?: string[];
  fields?: [label: string, value: string][];
  actions?: CardAction[];
}

/** A file the bot made (a ledger); platforms that can send files do, the others say where it is. */
export interface FileReply {
  path: string;
  name: string;
  caption: string;
}

/** `once`: the text is a key (a sign-in link): the outbox keeps it until it is delivered, not after. */
export type Reply = { text: string; once?: true } | { card: Card } | { file: FileReply };

export function text(t: string): Reply {
  return { text: t };
}

/** A text that is kept only until it is delivered (or given up on). */
export function onceText(t: string): Reply {
  return { text: t, once: true };
}

export function card(c: Card): Reply {
  return { card: c };
}
