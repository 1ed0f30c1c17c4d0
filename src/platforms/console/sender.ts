import type { Outgoing, Sender } from '../../lib/delivery';
import { renderPlain } from './render';

/** Prints what the bot says on the local console; proactive messages are marked with their addressee. */
export function createConsoleSender(write: (text: string) => void): Sender {
  return {
    async send(m: Outgoing) {
      const to = m.target.kind === 'reply' ? '' : `（发给 ${m.target.kind === 'user' ? m.target.userId : `群 ${m.target.chatId}`}）\n`;
      write(`${to}${renderPlain(m.reply)}\n`);
    },
  };
}
