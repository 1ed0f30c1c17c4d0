// The official Stream client (dingtalk-stream), made to stay stopped: the SDK reconnects a second
// after a connection drops, by a timer that disconnect() does not cancel, and its connect() undoes
// disconnect(), so a drop just before the bot stops would open a connection nobody closes.
import type { DWClient } from 'dingtalk-stream';
import type { Logger } from 'pino';

export async function createStreamClient(credentials: { clientId: string; clientSecret: string }, stopped: () => boolean, log: Logger): Promise<DWClient> {
  const { DWClient } = await import('dingtalk-stream');
  return new (class extends DWClient {
    override async connect(): Promise<void> {
      if (stopped()) return void log.debug('DingTalk stream stopped: not reconnecting');
      return super.connect();
    }
  })(credentials);
}
