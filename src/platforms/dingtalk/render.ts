// Reply → DingTalk markdown. In a private chat with the robot a card's buttons are links of the
// form dtmd://dingtalkclient/sendMessage?content=…, which make the person's client send that
// text into the chat as their own message: the exact command, as if typed. In a group the same
// link would send the command without an @ to the robot, and a robot in a group receives only
// what mentions it, so there the commands are shown to send with an @; in a work notice (工作通知)
// nobody can write at all, so they are shown to send the robot. People's text is escaped so it
// cannot become a link or heading.
import { formAsText, formCommand } from '../../lib/form-text';
import type { FileReply, Form, Reply } from '../../lib/reply';

export type DingtalkContent =
  | { kind: 'markdown'; title: string; markdown: string }
  | { kind: 'text'; title: string; text: string }
  /** sent by its media id once uploaded (the sender does that) */
  | { kind: 'file'; title: string; file: FileReply };

/** Where the message is read: a private chat with the robot, a group, or the app's work notices (工作通知), where nobody can write. */
export type Where = 'private' | 'group' | 'notice';

const SEND_ELSEWHERE: Record<Exclude<Where, 'private'>, string> = { group: '可@我发送：', notice: '可在与政务助手机器人的单聊中发送：' };

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|>~<])/g, '\\$1');
}

/** The link that sends `command` as the person who taps it; what a markdown link's parentheses would end is encoded too. */
export function sendLink(command: string): string {
  const encoded = encodeURIComponent(command).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `dtmd://dingtalkclient/sendMessage?content=${encoded}`;
}

const bold = (line: string) =>
  line
    .split(/\*\*(.+?)\*\*/g)
    .map((part, i) => (i % 2 === 1 ? `**${escapeMarkdown(part)}**` : escapeMarkdown(part)))
    .join('');

const asCode = (command: string) => `\`${command.replace(/`/g, "'")}\``;

/** A form where there are none: the fields to type, and in a private chat a link that sends the whole command once nothing is missing. */
function formContent(form: Form, where: Where): DingtalkContent {
  const text = formAsText(form);
  const missing = form.fields.some((f) => f.required && f.value === undefined);
  // a value over several lines cannot be sent back as one command line
  const multiline = form.fields.some((f) => f.value?.includes('\n'));
  if (where !== 'private' || form.error !== undefined || missing || multiline) return { kind: 'text', title: form.command, text };
  // the note's **bold** is kept; everything else is shown as it is
  const notes = form.note?.length ?? 0;
  const lines = text.split('\n').map((line, i) => (i < notes ? bold(line) : escapeMarkdown(line)));
  return { kind: 'markdown', title: form.command, markdown: [...lines, '', `[核对无误，点此发送](${sendLink(formCommand(form))})`].join('  \n') };
}

export function renderDingtalk(reply: Reply, where: Where): DingtalkContent {
  if ('text' in reply) return { kind: 'text', title: reply.text.slice(0, 20), text: reply.text };
  if ('file' in reply) return { kind: 'file', title: reply.file.name, file: reply.file };
  if ('form' in reply) return formContent(reply.form, where);
  const { title, lines = [], fields = [], actions = [] } = reply.card;
  const buttons =
    actions.length === 0
      ? []
      : where === 'private'
        ? ['', actions.map((a) => `[${escapeMarkdown(a.label)}](${sendLink(a.command)})`).join('　')]
        : ['', SEND_ELSEWHERE[where], ...actions.map((a) => `- ${asCode(a.command)}`)];
  const parts = [
    `#### ${escapeMarkdown(title)}`,
    ...lines.map(bold),
    ...fields.map(([label, value]) => `- **${escapeMarkdown(label)}**：${escapeMarkdown(value).replace(/\n/g, '  \n  ')}`),
    ...buttons,
  ];
  return { kind: 'markdown', title: title.slice(0, 60), markdown: parts.join('  \n') };
}
