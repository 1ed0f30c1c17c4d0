import { formAsText } from '../../lib/form-text';
import type { Reply } from '../../lib/reply';

/** A reply as plain text: the card's title, its lines, its fields, and its buttons as the commands they send. */
export function renderPlain(reply: Reply): string {
  if ('text' in reply) return reply.text;
  if ('file' in reply) return `${reply.file.caption}\n文件：${reply.file.path}`;
  if ('form' in reply) return formAsText(reply.form);
  const { title, lines = [], fields = [], actions = [] } = reply.card;
  const out = [`【${title}】`, ...lines.map((l) => l.replace(/\*\*(.+?)\*\*/g, '$1'))];
  for (const [label, value] of fields) out.push(`${label}：${value.replace(/\n/g, '\n    ')}`);
  if (actions.length) out.push(...actions.map((a) => `[${a.label}] 发送：${a.command}`));
  return out.join('\n');
}
