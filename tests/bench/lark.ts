// Issue 3's figures (and issue 10's RSS): signed, encrypted im.message.receive_v1 events with
// unique ids against the running server. (1) Throughput: autocannon at full speed, the same
// connections and duration against the webhook and against a bare Express JSON endpoint; the
// webhook must acknowledge ≥ 0.4× as many. (2) 500 events/s for 30 s, paced: ack p99 ≤ 20 ms,
// every reply queued within 1 s of its ack, every acknowledged event carried out exactly once,
// server RSS ≤ 250 MB. (3) Issue 10's crash: the server killed with SIGKILL under that load and
// restarted on its database (lark-crash.ts).
//
// Two processes: this one (the load generator, and Lark's API faked on loopback by
// tests/fixtures/fake-lark.ts) and the server under load in its own (lark-server.ts), so the
// load generator never competes with it for one event loop. Replies really go out through the
// SDK to the fake, at Lark's 50 a second.
//
// Knobs: BENCH_LARK_CONNECTIONS (20), BENCH_LARK_SECONDS (10, throughput runs),
// BENCH_LARK_RATE (500 events/s), BENCH_LARK_SUSTAIN_SECONDS (30), BENCH_LARK_POOL (60,000
// distinct events for the throughput run; it stops early, and says so, if they run out).
import { join } from 'node:path';
import { openDatabase } from '../../db/client';
import { startFakeLark } from '../fixtures/fake-lark';
import { count, envCount, inScratchDir, progress } from './cli';
import { checkOutcome } from './lark-checks';
import { bareFullSpeed, WARMUP_SECONDS, webhookFullSpeed } from './full-speed';
import { crashAndRecover } from './lark-crash';
import { larkEvents, STAFF } from './lark-events';
import { drained, startBotServer, WEBHOOK, type FakeLark } from './lark-process';
import { paced } from './paced';
import { percentiles, row, type Row, type Section, type SectionResult } from './report';

async function throughput(fake: FakeLark, dir: string, connections: number, seconds: number, poolSize: number): Promise<{ rows: Row[]; notes: string[] }> {
  progress(`making ${count(poolSize)} distinct signed, encrypted events\n`);
  const pool = larkEvents('max', poolSize, 1);

  const bareRun = await bareFullSpeed(pool, connections, seconds);
  const bot = await startBotServer(fake, join(dir, 'throughput.db'));
  const botRun = await webhookFullSpeed(bot, pool, connections, seconds);
  const { pending: backlog } = (await bot.ask('pending')) as { pending: number };
  const stopped = await bot.stop();

  return {
    rows: [
      row('bare Express JSON endpoint, full speed', bareRun.perSecond, 'req/s'),
      row('webhook acknowledgements, full speed', botRun.perSecond, 'req/s', { baseline: bareRun.perSecond }),
      row('webhook ÷ bare endpoint', botRun.perSecond / bareRun.perSecond, '×', { atLeast: 0.4 }),
      row('webhook answers other than 2xx at full speed', botRun.failed, 'requests', { target: 0 }),
      row('commands left waiting in the inbox when the full-speed run ended', backlog, 'events'),
      row('server RSS peak, full speed (acks outrun the commands; the backlog waits in the inbox)', stopped.rssPeakMb, 'MB'),
    ],
    notes: [
      `full speed: autocannon, ${connections} connections, ${seconds} s after ${WARMUP_SECONDS} s of warm-up, against each server in turn; the bare endpoint is app.post('/x', express.json(), (req, res) => res.json({})) in a process of its own, sent the same bodies`,
      'at full speed the requests keep the event loop saturated, and the inbox worker steps back to a quarter of it (src/lib/loop-pressure.ts): acknowledgements first, the commands wait in the inbox and are carried out as the flood allows and after it',
      ...(botRun.exhausted ? [`the ${count(poolSize)} distinct events ran out before the webhook run ended: it stopped early (BENCH_LARK_POOL raises the number)`] : []),
    ],
  };
}

async function sustained(fake: FakeLark, dir: string, rate: number, seconds: number): Promise<{ rows: Row[]; notes: string[] }> {
  const path = join(dir, 'sustained.db');
  const server = await startBotServer(fake, path);
  const url = server.url(WEBHOOK);
  // untimed: the JIT, the SDK's token and bot info, the database's first pages
  const warm = larkEvents('warm', Math.ceil(rate / 2), 2);
  const { shots: warmShots } = await paced(url, warm, rate / 2);
  await drained(server);
  await server.ask('measure');

  const events = larkEvents('load', rate * seconds, 3);
  progress(`sustained: ${count(events.length)} events at ${rate}/s for ${seconds} s\n`);
  const deliveredBefore = fake.posted.length;
  const { shots, ownDelayMaxMs } = await paced(url, events, rate);
  const drainMs = await drained(server);
  const delivered = fake.posted.length - deliveredBefore;
  const stopped = await server.stop();

  const acked = [...warm.map((event, i) => ({ event, shot: warmShots[i]! })), ...events.map((event, i) => ({ event, shot: shots[i]! }))]
    .filter(({ shot }) => shot.status === 200)
    .map(({ event, shot }) => ({ event, at: shot.answeredAt }));
  const db = await openDatabase(path);
  const outcome = await checkOutcome(db, acked);
  await db.close();
  const queued = percentiles(events.flatMap((e) => outcome.queuedAfterAck.get(e.eventId) ?? []));
  const ack = percentiles(shots.map((s) => s.latencyMs));
  const notAcked = shots.filter((s) => s.status !== 200).length + warmShots.filter((s) => s.status !== 200).length;

  return {
    rows: [
      row('sustained load offered', rate, 'events/s'),
      row('ack latency p50', ack.p50, 'ms'),
      row('ack latency p99', ack.p99, 'ms', { target: 20 }),
      row('ack latency max', ack.max, 'ms'),
      row('reply queued after its ack p50', queued.p50, 'ms'),
      row('reply queued after its ack p99', queued.p99, 'ms'),
      row('reply queued after its ack, slowest', queued.max, 'ms', { target: 1000 }),
      row('events not acknowledged with 200', notAcked, 'events', { target: 0 }),
      row('acknowledged events not carried out exactly once', outcome.notExactlyOnce, 'events', { target: 0 }),
      row('rows for events never acknowledged (inbox, documents, replies)', outcome.strays, 'rows', { target: 0 }),
      row('收文 registered / replies queued', outcome.documents, 'rows', { baseline: outcome.replies }),
      row('inbox drained after the last ack', drainMs / 1000, 's'),
      row('server event-loop delay p99', stopped.loopDelayP99Ms, 'ms'),
      row('server event-loop delay max', stopped.loopDelayMaxMs, 'ms'),
      row('load generator event-loop delay max (latencies are no finer)', ownDelayMaxMs, 'ms'),
      row('server RSS once listening, before any load', server.rssReadyMb, 'MB'),
      row('server RSS peak, sustained load', stopped.rssPeakMb, 'MB', { target: 250 }),
      row('replies delivered to Lark meanwhile (50/s app limit)', delivered, 'messages'),
    ],
    notes: [
      `sustained: ${count(events.length)} events paced evenly (open loop: latency counted from when each was due, not when it was sent), after ${warm.length} untimed warm-up events; each a 收文登记 with its own 文号 from one of ${count(STAFF)} staff in a private chat`,
      '"reply queued after its ack": the reply\'s outbox created_at (the bot\'s clock) minus when the load generator read the 200 (this machine\'s clock); negative when the reply was queued before the ack arrived',
      'exactly once: every acknowledged event has its inbox row done, its 文号 once in documents and one reply in the outbox, and nothing else has rows; the baseline column of "收文 registered" is the count of replies',
      'replies then go out at Lark\'s 50 messages a second per app, queued in the outbox, so at 500 commands a second delivery lags behind; that is Lark\'s limit, not the bot\'s',
    ],
  };
}

async function run(): Promise<SectionResult> {
  const connections = envCount('BENCH_LARK_CONNECTIONS', 20);
  const seconds = envCount('BENCH_LARK_SECONDS', 10);
  const rate = envCount('BENCH_LARK_RATE', 500);
  const sustainSeconds = envCount('BENCH_LARK_SUSTAIN_SECONDS', 30);
  const poolSize = envCount('BENCH_LARK_POOL', 60_000);
  const fake = await startFakeLark();
  try {
    return await inScratchDir(async (dir) => {
      const max = await throughput(fake, dir, connections, seconds, poolSize);
      const steady = await sustained(fake, dir, rate, sustainSeconds);
      const crash = await crashAndRecover(fake, dir, rate);
      return { name: 'lark', rows: [...max.rows, ...steady.rows, ...crash.rows], notes: [...max.notes, ...steady.notes, ...crash.notes] };
    });
  } finally {
    await fake.close();
  }
}

export const lark: Section = { name: 'lark', run };
