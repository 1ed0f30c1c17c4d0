// Issue 16's figure: /healthz stays quick (p99 ≤ 50 ms) while unauthenticated 1 MiB bodies of
// nested arrays arrive at the webhooks eight at a time, round after round, for some seconds —
// the bodies that once held the event loop for 3–5 s, past Feishu's 3-second acknowledgement
// limit. The baseline is /healthz on the same server, idle, in the same run.
//
// The server runs in its own process (lark-server.ts, as the lark section runs it), with Lark
// (Encrypt Key) and DingTalk enabled; this process sends the bodies and probes /healthz open-loop
// (a probe falls due every 10 ms whatever the server has answered, its latency counted from then,
// so a held-up loop cannot hide the probes queued behind it).
//
// The bodies, in turn: unsigned to Lark's event and card URLs, with a forged X-Lark-Signature,
// to DingTalk with a wrong sign, and to DingTalk under a valid sign (a captured signature, good
// for an hour, carrying a new body). Not one may be taken.
//
// Knobs: BENCH_WEBHOOKS_SECONDS (10, each of idle and under attack).
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startFakeLark } from '../fixtures/fake-lark';
import { forkBundled } from './child';
import { envCount, inScratchDir } from './cli';
import { startServer, type Server } from './lark-process';
import { percentiles, row, type Section, type SectionResult } from './report';
import { CONCURRENT, DINGTALK_SECRET, type Attacked } from './webhooks-attack';

const PROBE_EVERY_MS = 10;
const TARGET_P99_MS = 50;

/** The bodies sent from a process of their own: sending 8 MiB a round would hold up this one's probes. */
async function attack(server: Server, seconds: number): Promise<Attacked> {
  const child = await forkBundled(new URL('./webhooks-attack.ts', import.meta.url), [server.url(''), String(seconds)]);
  return new Promise((resolve, reject) => {
    let answer: Attacked | null = null;
    child.on('message', (m) => (answer = m as Attacked));
    child.on('exit', (code) => (answer && code === 0 ? resolve(answer) : reject(new Error(`webhooks-attack exited with code ${code}`))));
  });
}

/** /healthz every PROBE_EVERY_MS until `until` resolves; each probe's latency from when it fell due. */
async function probeHealth(server: Server, until: Promise<unknown>): Promise<{ latencies: number[]; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let failed = 0;
  let stop = false;
  const inFlight = new Set<Promise<void>>();
  void until.then(() => (stop = true));
  const start = performance.now();
  for (let i = 0; !stop; i++) {
    const due = start + i * PROBE_EVERY_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const probe = new Promise<void>((resolve) => {
      const req = request(server.url('/healthz'), { agent }, (res) => {
        res.resume().on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - due);
          else failed++;
          resolve();
        });
      });
      req.on('error', () => (failed++, resolve()));
      req.end();
    });
    inFlight.add(probe);
    void probe.then(() => inFlight.delete(probe));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, failed };
}

async function run(): Promise<SectionResult> {
  const seconds = envCount('BENCH_WEBHOOKS_SECONDS', 10);
  const fake = await startFakeLark();
  try {
    return await inScratchDir(async (dir) => {
      const server = await startServer([
        'bot',
        JSON.stringify({
          DATABASE_PATH: join(dir, 'bot.db'),
          LOG_LEVEL: 'silent',
          LARK_APP_ID: 'cli_bench',
          LARK_APP_SECRET: 'bench-app-secret',
          LARK_ENCRYPT_KEY: 'bench-encrypt-key',
          LARK_DOMAIN: fake.url,
          DINGTALK_APP_KEY: 'bench-key',
          DINGTALK_APP_SECRET: DINGTALK_SECRET,
          DINGTALK_ROBOT_CODE: 'bench-robot',
        }),
      ]);
      let stopped = false;
      try {
        process.stderr.write(`  idle: /healthz every ${PROBE_EVERY_MS} ms for ${seconds} s\n`);
        const idle = await probeHealth(server, new Promise((r) => setTimeout(r, seconds * 1000)));
        process.stderr.write(`  under attack: ${CONCURRENT} bodies of about 1 MiB at once, for ${seconds} s\n`);
        await server.ask('measure'); // the server's own event-loop figures from here on
        const load = attack(server, seconds);
        const busy = await probeHealth(server, load);
        const { rounds, statuses, bodyBytes } = await load;
        const accepted = statuses.filter(([s]) => s < 400 && s !== 0).reduce((n, [, c]) => n + c, 0);
        const sent = rounds * CONCURRENT;
        const loop = await server.stop();
        stopped = true;
        const base = percentiles(idle.latencies);
        const under = percentiles(busy.latencies);
        return {
          name: 'webhooks',
          rows: [
            row('/healthz p99 under attack', under.p99, 'ms', { target: TARGET_P99_MS, baseline: base.p99 }),
            row('/healthz max under attack', under.max, 'ms', { baseline: base.max }),
            row("server's event loop held up, p99 under attack", loop.loopDelayP99Ms, 'ms'),
            row("server's event loop held up, max under attack", loop.loopDelayMaxMs, 'ms'),
            row('hostile bodies not refused', accepted, 'bodies', { target: 0 }),
            row('/healthz probes failed', idle.failed + busy.failed, 'probes', { target: 0 }),
          ],
          notes: [
            `${sent} bodies of ${bodyBytes} bytes ([[[…]]]) in ${rounds} rounds of ${CONCURRENT} at once, over ${seconds} s; statuses: ${statuses.map(([s, c]) => `${s}×${c}`).join(', ')}`,
            'in turn: unsigned to /webhook/lark/event and /lark/card, a forged X-Lark-Signature, DingTalk with a wrong sign, DingTalk under a valid (captured) sign',
            `/healthz probed every ${PROBE_EVERY_MS} ms open-loop (${busy.latencies.length} under attack, ${idle.latencies.length} idle), latency from when each fell due; baseline: the same server idle, same run`,
            'status 0: the server answered before reading the body and the connection was reset (still refused)',
            `machine load average when done: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (probe latencies include waiting for a CPU)`,
          ],
        };
      } finally {
        if (!stopped) await server.stop();
      }
    });
  } finally {
    await fake.close();
  }
}

export const webhooks: Section = { name: 'webhooks', run };
