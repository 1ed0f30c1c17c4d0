// Reply → Lark message content. Whatever people typed reaches Lark as plain text, never as
// markup: plain replies go as `post` text elements and cards use plain_text elements only, which
// Lark does not parse for <at> tags, markdown links or card JSON. No reply can mention everyone.
import type { Card, Reply, Tone } from '../../lib/reply';
import type { ButtonValue } from './mapping';

export interface LarkContent {
  msg_type: 'post' | 'interactive' | 'file';
  content: string;
}

const COLOURS: Record<Tone, string> = { info: 'blue', success: 'green', warning: 'orange', danger: 'red' };

const plain = (content: string) => ({ tag: 'plain_text', content });

/** Commands mark emphasis with **…**; in plain text the markers are simply dropped. */
const unbold = (line: string) => line.replace(/\*\*(.+?)\*\*/g, '$1');

export function larkCard(card: Card): Record<string, unknown> {
  const elements: Record<string, unknown>[] = [];
  if (card.lines?.length) elements.push({ tag: 'div', text: plain(card.lines.map(unbold).join('\n')) });
  if (card.fields?.length) {
    elements.push({
      tag: 'div',
      fields: card.fields.map(([label, value]) => ({ is_short: value.length <= 24 && !value.includes('\n'), text: plain(`${label}：${value}`) })),
    });
  }
  if (card.actions?.length) {
    elements.push({
      tag: 'action',
      actions: card.actions.map((a, i) => ({
        tag: 'button',
        text: plain(a.label),
        type: i === 0 ? 'primary' : 'default',
        value: { command: a.command } satisfies ButtonValue,
      })),
    });
  }
  return { config: { wide_screen_mode: true, update_multi: true }, header: { template: COLOURS[card.tone], title: plain(card.title) }, elements };
}

/** Text and cards; a file is uploaded first (see the sender), then sent by its key. */
export function renderLark(reply: Exclude<Reply, { file: unknown }>): LarkContent {
  if ('card' in reply) return { msg_type: 'interactive', content: JSON.stringify(larkCard(reply.card)) };
  const rows = reply.text.split('\n').map((line) => [{ tag: 'text', text: line }]);
  return { msg_type: 'post', content: JSON.stringify({ zh_cn: { title: '', content: rows } }) };
}
