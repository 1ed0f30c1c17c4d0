import { randomUUID } from 'node:crypto';
import type { IncomingMessage, PlatformUser } from '../../engine/message';
import type { Identity } from '../../services/people';

export const LOCAL_ADMIN: Identity = { platform: 'console', userId: 'admin' };

/** A typed line as an IncomingMessage; `@platform:userId` in the text is a mention. */
export function consoleMessage(text: string, as: Identity, receivedAt: number): IncomingMessage {
  const mentions: PlatformUser[] = [...text.matchAll(/@([a-z]+):(\S+)/g)].map((m) => ({ platform: m[1]!, userId: m[2]! }));
  return {
    platform: 'console',
    eventId: randomUUID(),
    messageId: null,
    chat: { id: 'local', type: 'p2p', title: '本地控制台' },
    sender: { platform: as.platform, userId: as.userId, name: as === LOCAL_ADMIN ? '本地管理员' : undefined },
    text,
    mentions,
    kind: 'text',
    receivedAt,
  };
}
