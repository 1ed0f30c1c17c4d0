// What a command is: a declaration the engine parses, authorizes and validates for. A command's
// run() only does the work; it never sees raw text or another platform's shapes.
import type { z } from 'zod';
import type { Reply } from '../../src/lib/reply';
import type { Actor } from '../../src/services/actor';
import type { ChatGroup, ChatRef } from '../../src/services/chats';
import type { Identity } from '../../src/services/people';
import type { Services } from '../../src/services';

/** The rows of the rights table (README: who may use what); the engine maps each to the roles that hold it. */
export type Right = 'everyone' | 'read' | 'register' | 'handle' | 'supervise' | 'approve' | 'export' | 'console' | 'admin';

/** 通用 and 管理 are always on; the others are what an admin enables per group chat. */
export type Group = '通用' | ChatGroup | '管理';

export interface PersonRef {
  identity: Identity;
  name?: string | undefined;
}

export interface Catalog {
  /** the commands this sender may use here */
  available(): readonly AnyCommand[];
  find(name: string): AnyCommand | undefined;
}

export interface CommandContext {
  services: Services;
  actor: Actor;
  chat: ChatRef;
  catalog: Catalog;
  /** `@张三` (a mention in the message) or `lark:ou_x` → the person meant */
  person(ref: string): PersonRef;
}

/**
 * How a field is entered in the command's form: text (one line or several), a date picker, a
 * deadline (date picker, or N个工作日 beside it), the field's fixed options, one or several of the
 * office's units, one of its leaders.
 */
export type FormEntry = 'text' | 'long' | 'date' | 'deadline' | 'choice' | 'unit' | 'units' | 'leader';

export interface CommandDef<F extends z.ZodObject> {
  /** canonical name first, then aliases; matched case-insensitively, longest first */
  names: readonly [string, ...string[]];
  group: Group;
  right: Right;
  summary: string;
  /** fields that may be given by position, in order; the last one takes the rest of the text */
  args?: readonly string[];
  /** the one field that takes all the text after the name as typed, lines, colons and quotes kept (a pasted notice) */
  verbatim?: string;
  fields: F;
  example: string;
  /**
   * The fields a form shows, in order, and how each is entered. A command with a form sent
   * without fields is answered with the form; a refusal of its fields, with the form again,
   * filled in with what was given.
   */
  form?: Partial<Record<keyof z.output<F> & string, FormEntry>>;
  /**
   * What a file sent to the bot means for this command: 'draft', the file is read and answered
   * with this command's form filled in from it; 'proof', files and photos sent right after this
   * command are kept with what it recorded. One command each.
   */
  file?: 'draft' | 'proof';
  /** Runs inside the engine's transaction, which every service it calls writes in. */
  run(ctx: CommandContext, fields: z.output<F>): Promise<Reply | Reply[]>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandDef<any>;

export function defineCommand<F extends z.ZodObject>(def: CommandDef<F>): CommandDef<F> {
  return def;
}
