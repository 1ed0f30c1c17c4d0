// Reply → Lark message content. Whatever people typed reaches Lark as plain text, never as
// markup: plain replies go as `post` text elements and cards use plain_text elements only, which
// Lark does not parse for <at> tags, markdown links or card JSON. No reply can mention everyone.
import type { Card, Form, Reply, Tone } from '../../lib/reply';
import { larkFormElements } from './form';
import type { ButtonValue } from './mapping';

export interface LarkContent {
  msg_type: 'post' | 'interactive' | 'file';
  content: string;
}

const COLOURS: Record<Tone, string> = { info: 'blue', success: 'green', warning: 'orange', danger: 'red' };

const plain = (content: string) => ({ tag: 'plain_text', content });

/** Commands mark emphasis with **…**; in plain text the markers are simply dropped. */
const unbold = (line: string) => line.replace(/\*\*(.+?)\*\*/g, '$1');

/**
 * Cards are JSON 2.0, as forms must be: a card is replaced by the answer to a click on it (a form
 * by the registered item's card) and kept up to date later, and a 2.0 card is only ever replaced
 * by another 2.0 card. update_multi: every member of a group sees the one shared, updated card.
 */
function card20(header: Record<string, unknown>, elements: Record<string, unknown>[]): Record<string, unknown> {
  return { schema: '2.0', config: { update_multi: true }, header, body: { elements } };
}

export function larkCard(card: Card): Record<string, unknown> {
  const elements: Record<string, unknown>[] = [];
  if (card.lines?.length) elements.push({ tag: 'div', text: plain(card.lines.map(unbold).join('\n')) });
  if (card.fields?.length) elements.push({ tag: 'div', text: plain(card.fields.map(([label, value]) => `${label}：${value}`).join('\n')) });
  if (card.actions?.length) {
    // buttons side by side, wrapping on a narrow screen (2.0 has no `action` row)
    elements.push({
      tag: 'column_set',
      flex_mode: 'flow',
      columns: card.actions.map((a, i) => ({
        tag: 'column',
        width: 'auto',
        elements: [{ tag: 'button', text: plain(a.label), type: i === 0 ? 'primary' : 'default', behaviors: [{ type: 'callback', value: { command: a.command } satisfies ButtonValue }] }],
      })),
    });
  }
  return card20({ template: COLOURS[card.tone], title: plain(card.title) }, elements);
}

/** A form's card: its command as the title, red while it shows a refusal. */
export function larkFormCard(form: Form): Record<string, unknown> {
  return card20({ template: form.error === undefined ? COLOURS.info : COLOURS.danger, title: plain(form.command), subtitle: plain(form.title) }, larkFormElements(form));
}

/** Text and cards; a file is uploaded first (see the sender), then sent by its key. */
export function renderLark(reply: Exclude<Reply, { file: unknown }>): LarkContent {
  if ('card' in reply) return { msg_type: 'interactive', content: JSON.stringify(larkCard(reply.card)) };
  if ('form' in reply) return { msg_type: 'interactive', content: JSON.stringify(larkFormCard(reply.form)) };
  const rows = reply.text.split('\n').map((line) => [{ tag: 'text', text: line }]);
  return { msg_type: 'post', content: JSON.stringify({ zh_cn: { title: '', content: rows } }) };
}
