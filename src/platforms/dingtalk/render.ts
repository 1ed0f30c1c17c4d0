// Reply → DingTalk markdown. DingTalk buttons can only open URLs, so a card's actions become the
// exact commands to send. People's text is escaped so it cannot become a link or heading.
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
  const { title, lines = [], fields = [], actions = [] } = reply.card;
  const parts = [
    `#### ${escapeMarkdown(title)}`,
    ...lines.map(bold),
    ...fields.map(([label, value]) => `- **${escapeMarkdown(label)}**：${escapeMarkdown(value).replace(/\n/g, '  \n  ')}`),
    ...(actions.length ? ['', '可发送：', ...actions.map((a) => `- \`${a.command.replace(/`/g, "'")}\``)] : []),
  ];
  return { title: title.slice(0, 60), markdown: parts.join('  \n'), text: null };
}
