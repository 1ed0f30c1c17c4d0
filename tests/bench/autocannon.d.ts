// The part of autocannon 9's API the benchmarks use (it ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** called before every request; returns the request to send */
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    }
    interface Options {
      url: string;
      connections?: number;
      /** seconds */
      duration?: number;
      requests?: Request[];
    }
    interface Result {
      /** seconds, as it really ran */
      duration: number;
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
      latency: { p50: number; p99: number; max: number };
    }
    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options, done: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;
  export = autocannon;
}
