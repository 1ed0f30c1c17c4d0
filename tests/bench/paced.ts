// An open-loop load generator: request i goes out when it falls due (i / rate seconds after the
// start) whatever the server has answered so far, on keep-alive connections, and its latency is
// counted from when it fell due, so a slow answer cannot hide the ones queued behind it.
// autocannon's overallRate is no substitute: each of its connections sends its quota for the
// second back to back at the top of the second, which is a burst every second, not a rate.
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Shot {
  /** HTTP status; 0 when the request failed */
  status: number;
  /** from when the request fell due until its answer was read */
  latencyMs: number;
  /** epoch ms when the answer was read (comparable with the server's Date.now()) */
  answeredAt: number;
}

export interface Run {
  shots: Shot[];
  /** how long this process's own event loop was held up at worst: latencies are no finer than that */
  ownDelayMaxMs: number;
}

export function paced(url: string, requests: readonly { body: string; headers: Record<string, string> }[], perSecond: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const shots: Shot[] = new Array(requests.length);
  const start = performance.now();
  const dueAt = (i: number) => start + (i * 1000) / perSecond;
  let next = 0;
  let answered = 0;

  return new Promise((resolve) => {
    const settle = (i: number, status: number) => {
      shots[i] = { status, latencyMs: performance.now() - dueAt(i), answeredAt: Date.now() };
      if (++answered === requests.length) {
        agent.destroy();
        delay.disable();
        resolve({ shots, ownDelayMaxMs: delay.max / 1e6 });
      }
    };
    const fire = (i: number) => {
      const { body, headers } = requests[i]!;
      // a connection reset can be reported on the request and the response both: count it once
      let settled = false;
      const once = (status: number) => !settled && ((settled = true), settle(i, status));
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('error', () => once(0));
        res.resume().on('end', () => once(res.statusCode ?? 0));
      });
      req.on('error', () => once(0));
      req.end(body);
    };
    const tick = () => {
      while (next < requests.length && dueAt(next) <= performance.now()) fire(next++);
      if (next < requests.length) setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
    };
    tick();
  });
}
