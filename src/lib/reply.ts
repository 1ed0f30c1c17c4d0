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

/** What a card shows, so that it can be brought up to date when that changes: 'document:SW-2026-0001', 'supervision:DB-2026-0001', 'proposal:JY-2026-0012'. */
export type Subject = `${'document' | 'supervision' | 'proposal'}:${string}`;

export interface Card {
  title: string;
  /** the item the card is about, where it is about one */
  about?: Subject;
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

/**
 * How one field of a form is entered: free text (one line or several), a date, a deadline (a
 * date, or N个工作日 typed beside it), one or several of fixed options, one person.
 */
export type FormInput = 'text' | 'long' | 'date' | 'deadline' | 'choice' | 'choices' | 'person';

export interface FormField {
  /** the command's field name, which the submission comes back under */
  name: string;
  input: FormInput;
  required: boolean;
  /** what the field takes or defaults to (默认今天) */
  hint?: string;
  /** choice/choices: the values; person: identities (lark:ou_x) with their names */
  options?: { value: string; label: string }[];
  /** what the form shows filled in: a default, or what was submitted (several choices joined with 、) */
  value?: string;
  /** the value was given (typed, submitted, read from a file), not a default */
  given?: boolean;
}

/**
 * A command to be filled in. Platforms with forms show one whose submission comes back as that
 * command's fields; the others show the fields to type. `error` is a refusal of what was
 * submitted, naming the field; the values are then what was submitted, kept.
 */
export interface Form {
  command: string;
  title: string;
  fields: FormField[];
  example: string;
  error?: string;
  /** what the form was filled in from, shown above it (a draft read from a file: what was read, how surely, what was not) */
  note?: string[];
  /** values carried with the submission without an input (the file a draft was read from) */
  fixed?: Record<string, string>;
}

/** A deadline field's second input, where N个工作日 is typed beside the date picker. */
export const WORKDAYS_INPUT = '·工作日';

/** `once`: the text is a key (a sign-in link): the outbox keeps it until it is delivered, not after. */
export type Reply = { text: string; once?: true } | { card: Card } | { file: FileReply } | { form: Form };

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
