// The platform-neutral heart: message → command → permission → fields → handler → replies,
// with the state change, its audit rows and every outgoing message committed together.
import type { Logger } from 'pino';
import type { AnyCommand, Catalog, CommandContext, PersonRef } from '../../commands/kit/define';
import { canonicalField, isDeadline } from '../../commands/kit/fields';
import { validateFields } from '../../commands/kit/validate';
import type { DeliveryTarget } from '../lib/delivery';
import { refusalText } from '../lib/form-text';
import { text, type Reply } from '../lib/reply';
import { withoutNul } from '../lib/without-nul';
import { ROLE_LABELS, type Actor } from '../services/actor';
import { UserError } from '../services/errors';
import { PROOF_WINDOW_MS } from '../services/intake';
import { parseIdentity } from '../services/people';
import type { Services } from '../services';
import type { ChatGroup, ChatRef } from '../services/chats';
import type { IncomingMessage } from './message';
import { buttonFilter } from './buttons';
import { parseArguments } from './parser';
import { may } from './permissions';
import { Registry } from './registry';
import { scopeVerdict } from './chat-scope';
import { createFloodGuard } from './flood';
import { createForms, submittedFields } from './forms';

export interface Outcome {
  replies: Reply[];
  /** the command name, for logs; never the text */
  command: string | null;
  /** false when the request was refused (unknown command, no right, bad field, a rule) */
  ok: boolean;
  /** keep nothing of the request's content (涉密) */
  forget: boolean;
}

const UNSUPPORTED = '暂时只能处理文字消息。请用文字发送命令，发送「帮助」查看可用命令。';
const WELCOME_COMMAND = '本群设置';
const GREETING = '您好！发送「帮助」查看可用命令。';
const PHOTO_WITHOUT_FEEDBACK = `图片不能登记为公文：收文请发送 PDF、OFD 或 Word（.docx）文件。如是督办反馈的佐证材料，请先发送「督办反馈 编号 内容」，再在 ${PROOF_WINDOW_MS / 60_000} 分钟内发送图片或文件。`;

export function replyTarget(msg: IncomingMessage): DeliveryTarget {
  return {
    kind: 'reply',
    chatId: msg.chat.id,
    chatType: msg.chat.type,
    messageId: msg.messageId,
    userId: msg.sender.userId,
    ...(msg.replyContext ? { context: msg.replyContext } : {}),
  };
}

function refusal(def: AnyCommand, reason: string): Reply {
  return text(refusalText(def.names[0], reason, def.example));
}

export function createEngine(options: { services: Services; commands: readonly AnyCommand[]; log: Logger }) {
  const { services, log } = options;
  const registry = new Registry(options.commands);
  const buttons = buttonFilter(options.commands);

  const flood = createFloodGuard(services.db);
  const fileCommands = { draft: options.commands.find((c) => c.file === 'draft') ?? null, proof: options.commands.find((c) => c.file === 'proof') ?? null };
  const forms = createForms(services);

  /** A refusal of fields: a command with a form answers with the form again, keeping what was given. */
  async function refused(def: AnyCommand, given: Readonly<Record<string, string>>, reason: string): Promise<Reply> {
    return def.form ? { form: await forms.formFor(def, given, reason) } : refusal(def, reason);
  }

  function catalogFor(actor: Actor, chatType: 'p2p' | 'group', enabled: readonly ChatGroup[]): Catalog {
    const available = registry.commands.filter((d) => may(actor.role, d.right) && scopeVerdict(chatType, enabled, d.group, actor.role === 'admin').kind === 'open');
    return { available: () => available, find: (name) => registry.find(name) };
  }

  /** A closed group chat: admins are told how to open it; others hear it once a day, then nothing. */
  async function closedChat(chat: ChatRef, actor: Actor): Promise<Reply[]> {
    if (actor.role === 'admin') return [text('本群尚未启用。管理员可发送「本群启用 公文 督办」等开通功能组（或「本群启用 全部」），「本群设置」查看。')];
    if (!(await services.chats.takeClosedNotice(chat, services.today()))) return [];
    const admins = await services.people.adminNames();
    return [text(`本群尚未启用政务助手。${admins.length ? `如需使用，请联系管理员：${admins.join('、')}。` : '如需使用，请联系管理员。'}私聊机器人可按您的权限使用。`)];
  }

  function personResolver(msg: IncomingMessage) {
    return (ref: string): PersonRef => {
      const identity = parseIdentity(ref);
      const byId = identity && msg.mentions.find((m) => m.platform === identity.platform && m.userId === identity.userId);
      if (identity) return { identity, name: byId?.name };
      const name = ref.replace(/^@/, '').trim();
      const mention = msg.mentions.find((m) => m.name === name) ?? (msg.mentions.length === 1 ? msg.mentions[0] : undefined);
      if (mention) return { identity: { platform: mention.platform, userId: mention.userId }, name: mention.name };
      throw new UserError(`找不到「${ref}」：请在消息里 @ 此人，或写「我是谁」显示的 平台:用户ID（如 lark:ou_xxx）`);
    };
  }

  function denial(def: AnyCommand, actor: Actor): Reply {
    if (actor.role === null) {
      return text(`您还没有使用「${def.names[0]}」的权限。请发送「我是谁」，把结果发给管理员开通。`);
    }
    return text(`您的角色（${ROLE_LABELS[actor.role]}）不能使用「${def.names[0]}」。发送「帮助」查看您可用的命令。`);
  }

  /** Works out the replies to one message. Writes only inside the caller's transaction. */
  async function handle(msg: IncomingMessage): Promise<Outcome> {
    // someone the directory says has left is no sender: never created, counted as seen or answered
    if (msg.kind === 'left') {
      if (!(await services.orgSync.personLeft(msg.sender))) log.debug({ platform: msg.platform }, 'someone unknown to the bot left the organisation');
      return { replies: [], command: null, ok: true, forget: false };
    }
    const chat = { platform: msg.platform, chatId: msg.chat.id, type: msg.chat.type, title: msg.chat.title };
    await services.chats.seen(chat);
    const actor = await services.people.actorFor(msg.sender, msg.sender.name, `${msg.platform}:${msg.chat.id}`);
    // a card offers the asker only the buttons their role may press
    const done = (replies: Reply[], command: string | null = null, ok = true, forget = false): Outcome => ({ replies: replies.map((r) => buttons(r, actor.role)), command, ok, forget });

    // the local console is the operator at the machine, often a script: no flood limit there
    const pace = msg.platform === 'console' ? 'ok' : await flood.check(actor.identity, `${chat.platform}:${chat.chatId}`, msg.receivedAt);
    if (pace === 'drop') return done([], null, false);
    if (pace === 'warn') return done([text('您发送得太快了，请稍候一分钟再试。这一分钟内的其余消息将不再处理。')], null, false);

    const enabled = chat.type === 'group' ? (await services.chats.settings(chat)).enabledGroups : [];
    const catalog = catalogFor(actor, chat.type, enabled);
    // The bot added to a group: whoever added it is shown the group's settings there (an admin, with
    // a button per command group to enable) or, as anyone in a closed group, told whom to ask.
    // A file sent is proof of the sender's 督办反馈 just given, else a 公文 to read into a 收文登记 draft.
    const proof = msg.kind === 'file' ? await services.intake.awaitingProof(actor) : null;
    const fileFor = msg.kind === 'file' ? (proof ? fileCommands.proof : msg.file?.image ? null : fileCommands.draft) : null;
    const match =
      msg.kind === 'joined' ? registry.match(WELCOME_COMMAND)
      : msg.kind === 'text' ? registry.match(msg.text)
      : msg.form ? formMatch(msg.form.command)
      : fileFor ? { def: fileFor, name: fileFor.names[0], rest: '' }
      : null;
    const verdict = scopeVerdict(chat.type, enabled, match?.def.group ?? null, actor.role === 'admin');
    if (verdict.kind === 'closed') return done(await closedChat(chat, actor), match?.def.names[0] ?? null, false);

    if (msg.kind === 'unsupported') return done([text(UNSUPPORTED)], null, false);
    if (msg.kind === 'file' && !match) return done([text(PHOTO_WITHOUT_FEEDBACK)], null, false);
    if (!match) {
      if (msg.text.trim() === '') return done([text(GREETING)]);
      const near = registry.suggest(msg.text, catalog.available());
      return done(
        [text(`没有这个命令。${near.length ? `您是不是要：${near.map((n) => `「${n}」`).join('、')}？` : ''}发送「帮助」查看可用命令。`)],
        null,
        false,
      );
    }
    const { def } = match;
    const name = def.names[0];
    if (verdict.kind === 'group-off') return done([text(`本群未开通「${verdict.group}」功能。如需使用，请联系管理员发送「本群启用 ${verdict.group}」，或私聊机器人。`)], name, false);
    // a group already open, joined again: whoever added the bot asked for nothing it could refuse
    if (!may(actor.role, def.right)) return done([msg.kind === 'joined' ? text(GREETING) : denial(def, actor)], name, msg.kind === 'joined');

    // a file is fetched and read outside this transaction; its answer follows from there
    const bare = msg.kind === 'text' && match.rest.trim() === '';
    if (msg.kind === 'file' || (bare && msg.replyTo && def === fileCommands.draft)) {
      const file = msg.file ?? { name: '', handle: { messageId: msg.replyTo! } };
      await services.intake.request({ purpose: proof ? 'proof' : 'document', platform: msg.platform, eventId: msg.eventId, handle: file.handle, name: file.name, replyTo: replyTarget(msg), actor, ...(proof ? { feedbackId: proof.feedbackId } : {}) });
      return done([], name);
    }
    // a command with a form, sent bare (typed, or chosen from a menu), is answered with its form
    if (bare && def.form) return done([{ form: await forms.formFor(def, {}) }], name);
    const parsed = msg.form ? submittedFields(def, msg.form.values) : parseText(def, match.rest);
    // a submission refused keeps what was entered; text that cannot be parsed has nothing to keep
    if (!parsed.ok) return done([parsed.given ? await refused(def, parsed.given, parsed.error) : refusal(def, parsed.error)], name, false);

    const validated = validateFields(def, parsed.given, await services.dateContext());
    if (!validated.ok) return done([validated.forget ? text(validated.error) : await refused(def, parsed.given, validated.error)], name, false, validated.forget);

    const ctx: CommandContext = { services, actor, chat, catalog, person: personResolver(msg) };
    try {
      // a savepoint: a refusal thrown half-way leaves nothing of the command behind
      const result = await services.db.tx(async () => def.run(ctx, validated.data));
      return done([...(Array.isArray(result) ? result : [result]), ...(await unknownCalendarNote(validated.data))], name);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // a submitted form is shown again with the reason; a typed command is answered in words
      return done([msg.form && !error.forget ? await refused(def, parsed.given, error.message) : text(error.message)], name, false, error.forget);
    }
  }

  /** A form names its command exactly, with nothing after it. */
  function formMatch(command: string) {
    const match = registry.match(command);
    return match && match.rest === '' && match.def.form ? match : null;
  }

  function parseText(def: AnyCommand, rest: string): { ok: true; given: Record<string, string> } | { ok: false; error: string; given?: undefined } {
    if (def.verbatim) return { ok: true, given: rest.trim() ? { [def.verbatim]: rest } : {} };
    const declared = Object.keys(def.fields.shape);
    const parsed = parseArguments(rest, declared, def.args ?? [], (typed) => canonicalField(declared, typed));
    return parsed.ok ? { ok: true, given: parsed.values } : parsed;
  }

  /** A deadline counted in working days into a year without holiday data was counted Monday to Friday: say so. */
  async function unknownCalendarNote(data: Record<string, unknown>): Promise<Reply[]> {
    const years = new Set<number>();
    for (const value of Object.values(data)) {
      if (isDeadline(value) && value.workdays) for (const year of await services.calendar.unknownYearsBetween(value.workdays.from, value.date)) years.add(year);
    }
    if (years.size === 0) return [];
    return [text(`注意：${[...years].join('、')}年节假日安排尚未导入，按周一至周五计算工作日。管理员可发送「节假日导入」并粘贴国务院办公厅的放假通知全文，导入后办理时限会自动重新计算。`)];
  }

  return {
    registry,
    handle,

    /**
     * Stores incoming events in the inbox; for each, false for a redelivery. Call before
     * acknowledging the platform: once this resolves, the events are committed and will be
     * carried out (inside a caller's transaction it joins it, and the caller's commit is what counts).
     */
    async accept(msgs: readonly IncomingMessage[]): Promise<boolean[]> {
      const events = msgs.map(withoutNul).map((msg) => ({ platform: msg.platform, eventId: msg.eventId, messageId: msg.messageId, payload: msg }));
      return services.db.statement(() => services.inbox.accept(events));
    },

    /**
     * For a callback the platform wants answered in its HTTP response (a card click): store it,
     * carry it out now, and return the replies. Null for a redelivery, or when handling failed
     * and the row was left for the worker (whose replies then go through the outbox), or when
     * another process took it up first.
     */
    async runNow(msg: IncomingMessage): Promise<Outcome | null> {
      if (!(await this.accept([msg]))[0]) return null;
      const row = await services.inbox.find<IncomingMessage>(msg.platform, msg.eventId);
      return row ? this.process(row, { inline: true }) : null;
    },

    /**
     * Carries out one inbox row: its effects, replies and `done` mark commit as one. With
     * `inline` the replies are returned instead of queued (the platform answers in the HTTP
     * response); with `held` the caller's transaction has taken the row (inbox.due()) and the
     * work joins it. Null when the row was already done or is held by another process, or when
     * the handler failed (it will be retried).
     */
    async process(row: { id: number; payload: IncomingMessage; attempts: number }, options: { inline?: boolean; held?: boolean } = {}): Promise<Outcome | null> {
      const msg = row.payload;
      const started = performance.now();
      // The row is held from the check to the commit, the failure mark included: several
      // processes (instances of the bot, the REPL, a job) may share the inbox, and none may
      // carry out or mark a row another is carrying out.
      const carryOut = async (): Promise<Outcome | null> => {
        if (!options.held && !(await services.inbox.stillPending(row.id))) return null;
        try {
          // a savepoint: a failing handler leaves nothing of its work, only the failure mark below
          const outcome = await services.db.tx(async () => {
            const result = await handle(msg);
            if (!options.inline) {
              for (const [i, reply] of result.replies.entries()) {
                await services.outbox.enqueue({ dedupeKey: `reply:${msg.platform}:${msg.eventId}:${i}`, platform: msg.platform, target: replyTarget(msg), reply });
              }
            } else if (msg.cardMessageId) await services.cardUpdates.answeredInPlace(msg.platform, msg.cardMessageId, result.replies);
            if (result.forget) await services.inbox.forgetContent(row.id);
            await services.inbox.markDone(row.id);
            return result;
          });
          log.info({ inbox: row.id, platform: msg.platform, command: outcome.command, ms: +(performance.now() - started).toFixed(2) }, 'message handled');
          return outcome;
        } catch (error) {
          const attempts = row.attempts + 1;
          const verdict = await services.inbox.markFailedAttempt(row.id, attempts, String((error as Error)?.stack ?? error));
          log.error({ inbox: row.id, attempts, verdict, err: error }, 'message handling failed');
          // nobody sent a directory event or the bot's joining: the departed person, or the group, is not told
          if (verdict === 'failed' && msg.kind !== 'left' && msg.kind !== 'joined') {
            await services.outbox.enqueue({
              dedupeKey: `reply:${msg.platform}:${msg.eventId}:failed`,
              platform: msg.platform,
              target: replyTarget(msg),
              reply: text('抱歉，处理您的消息时系统出错，已记录。请稍后重试，或联系管理员。'),
            });
          }
          return null;
        }
      };
      return options.held ? carryOut() : services.db.tx(carryOut);
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
