// The platform-neutral reply model. Each platform renders it its own way: a Lark interactive
// card, DingTalk markdown, plain text on the console.

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface CardAction {
  label: string;
  /** the command a click sends back, exactly as if typed */
  command: string;
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

export type Reply = { text: string } | { card: Card } | { file: FileReply };

export function text(t: string): Reply {
  return { text: t };
}

export function card(c: Card): Reply {
  return { card: c };
}
