import type { Outgoing, Sender } from '../../lib/delivery';
import { renderPlain } from './render';

/** Prints what the bot says on the local console; proactive messages are marked with their addressee. */
export function createConsoleSender(write: (text: string) => void): Sender {
  return {
    async send(m: Outgoing) {
      const t = m.target;
      // what was printed stays printed
      if (t.kind === 'update') return;
      const to = t.kind === 'reply' ? '' : `（发给 ${t.kind === 'user' ? t.userId : t.kind === 'users' ? t.userIds.join('、') : `群 ${t.chatId}`}）\n`;
      write(`${to}${renderPlain(m.reply)}\n`);
    },
  };
}
