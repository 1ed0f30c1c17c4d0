// Reply → DingTalk markdown. DingTalk buttons can only open URLs, so a card's actions become the
// exact commands to send. People's text is escaped so it cannot become a link or heading.
import { formAsText } from '../../lib/form-text';
import type { Reply } from '../../lib/reply';

export interface DingtalkContent {
  title: string;
  markdown: string | null;
  text: string | null;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|>~<])/g, '\\$1');
}

const bold = (line: string) =>
  line
    .split(/\*\*(.+?)\*\*/g)
    .map((part, i) => (i % 2 === 1 ? `**${escapeMarkdown(part)}**` : escapeMarkdown(part)))
    .join('');

export function renderDingtalk(reply: Reply): DingtalkContent {
  if ('text' in reply) return { title: reply.text.slice(0, 20), markdown: null, text: reply.text };
  if ('file' in reply) {
    // The robot API has no plain file send. Where the file lies on the server is nobody's
    // business in a chat: the console serves the same ledger to whoever may have it.
    const text = `${reply.file.caption}\n钉钉机器人暂不能直接发送文件。请私聊机器人发送「管理后台」，登录后在「台账」页面导出下载；如无管理后台权限，请联系管理员。`;
    return { title: reply.file.name, markdown: null, text };
  }
  if ('form' in reply) return { title: reply.form.command, markdown: null, text: formAsText(reply.form) };
  const { title, lines = [], fields = [], actions = [] } = reply.card;
  const parts = [
    `#### ${escapeMarkdown(title)}`,
    ...lines.map(bold),
    ...fields.map(([label, value]) => `- **${escapeMarkdown(label)}**：${escapeMarkdown(value).replace(/\n/g, '  \n  ')}`),
    ...(actions.length ? ['', '可发送：', ...actions.map((a) => `- \`${a.command.replace(/`/g, "'")}\``)] : []),
  ];
  return { title: title.slice(0, 60), markdown: parts.join('  \n'), text: null };
}
