// Acknowledgements per second at full speed: autocannon posting signed Feishu events as fast as a
// server answers, the same connections and duration against the bot's webhook and against a bare
// Express JSON endpoint (lark-server.ts's 'bare'), the floor any webhook is measured against.
// Shared by the lark section (the webhook on SQLite) and the postgres section (on either dialect).
import autocannon from 'autocannon';
import { progress } from './cli';
import type { LarkEvent } from './lark-events';
import { startServer, WEBHOOK, type Server } from './lark-process';

export const WARMUP_SECONDS = 1;

/**
 * Hands out events in order. With `cycle` it starts over when they run out (for the bare
 * endpoint, which keeps nothing); without, it hands out the last one again (a redelivery) and
 * says it is exhausted.
 */
export class EventFeed {
  private next = 0;
  exhausted = false;
  constructor(
    private readonly events: readonly LarkEvent[],
    private readonly cycle: boolean,
  ) {}

  take(): LarkEvent {
    if (this.next === this.events.length) {
      if (this.cycle) this.next = 0;
      else this.exhausted = true;
    }
    return this.events[this.exhausted ? this.events.length - 1 : this.next++]!;
  }
}

export interface FullSpeed {
  /** acknowledgements (2xx) per second */
  perSecond: number;
  /** answers other than 2xx, errors and timeouts */
  failed: number;
}

/** autocannon at full speed for `seconds` (less if the feed runs out). */
function cannon(url: string, feed: EventFeed, connections: number, seconds: number): Promise<FullSpeed> {
  const path = new URL(url).pathname;
  return new Promise((resolve, reject) => {
    let instance: autocannon.Instance | undefined;
    const setupRequest = (request: autocannon.Request): autocannon.Request => {
      const event = feed.take();
      if (feed.exhausted) instance?.stop();
      return { ...request, method: 'POST', path, headers: event.headers, body: event.body };
    };
    instance = autocannon({ url, connections, duration: seconds, requests: [{ setupRequest }] }, (error, result) => {
      if (error) return reject(error);
      resolve({ perSecond: result['2xx'] / result.duration, failed: result.non2xx + result.errors + result.timeouts });
    });
  });
}

/** WARMUP_SECONDS untimed (the JIT, the first pages), then `seconds` timed, from the same feed. */
async function warmThenTime(url: string, feed: EventFeed, connections: number, seconds: number): Promise<FullSpeed> {
  await cannon(url, feed, connections, WARMUP_SECONDS);
  return cannon(url, feed, connections, seconds);
}

/** The bare endpoint in a process of its own, sent the same bodies (cycled: it keeps nothing). */
export async function bareFullSpeed(events: readonly LarkEvent[], connections: number, seconds: number): Promise<FullSpeed> {
  const bare = await startServer(['bare']);
  try {
    progress(`bare endpoint: ${connections} connections, ${WARMUP_SECONDS} + ${seconds} s\n`);
    return await warmThenTime(bare.url('/x'), new EventFeed(events, true), connections, seconds);
  } finally {
    await bare.stop();
  }
}

/** The bot's webhook on a running server, each event sent once; `exhausted` when they ran out before the time did. */
export async function webhookFullSpeed(server: Server, events: readonly LarkEvent[], connections: number, seconds: number, label = 'webhook'): Promise<FullSpeed & { exhausted: boolean }> {
  progress(`${label}: ${connections} connections, ${WARMUP_SECONDS} + ${seconds} s\n`);
  const feed = new EventFeed(events, false);
  const timed = await warmThenTime(server.url(WEBHOOK), feed, connections, seconds);
  return { ...timed, exhausted: feed.exhausted };
}
