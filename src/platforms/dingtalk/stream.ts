// The official Stream client (dingtalk-stream 2.1.5), guarded where it fails the bot:
// - it reconnects a second after a connection drops, by a timer disconnect() does not cancel, and
//   connect() clears the flag disconnect() sets; a stop can also land while the gateway is being
//   asked for an address. Once stopped, neither asking nor opening happens.
// - a failed socket schedules two retries (its error and its close), so attempts would double every
//   second while DingTalk is unreachable: an attempt under way is not started again.
// - it asks the gateway for an address without a time limit: one hung request would hold the one
//   attempt under way, and with it every reconnect, for good.
// - a frame that is not JSON throws out of the socket's handler, which would end the process.
import type { DWClient } from 'dingtalk-stream';
import type { Logger } from 'pino';

const GATEWAY_TIMEOUT_MS = 15_000;

export async function createStreamClient(credentials: { clientId: string; clientSecret: string }, stopped: () => boolean, log: Logger, gatewayTimeoutMs = GATEWAY_TIMEOUT_MS): Promise<DWClient> {
  const { DWClient } = await import('dingtalk-stream');
  return new (class extends DWClient {
    private attempt: Promise<void> | null = null;

    override getEndpoint(): Promise<this> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the DingTalk gateway gave no address within ${gatewayTimeoutMs} ms`)), gatewayTimeoutMs);
      });
      return Promise.race([super.getEndpoint(), late]).finally(() => clearTimeout(timer));
    }

    override connect(): Promise<void> {
      if (stopped()) return Promise.resolve(void log.debug('DingTalk stream stopped: not reconnecting'));
      this.attempt ??= super.connect().finally(() => (this.attempt = null));
      return this.attempt;
    }

    override _connect(): Promise<void> {
      if (stopped()) return Promise.resolve(void log.debug('DingTalk stream stopped: not opening the connection'));
      return super._connect();
    }

    override onDownStream(data: string): void {
      try {
        super.onDownStream(data);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'DingTalk stream frame dropped: not readable');
      }
    }
  })(credentials);
}
