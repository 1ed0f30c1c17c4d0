// One instance against three on one PostgreSQL database, behind a round-robin balancer
// (tests/fixtures/round-robin.ts) as an office running several would have them: signed 收文登记
// events posted through the balancer open-loop at a rate above what the instances carry out, timed
// from the first post until the last reply is committed, so the figure is the instances' pace
// end to end (acknowledgement, inbox, engine, outbox), not the offer's. Each configuration gets a
// fresh database and fresh processes; every acknowledged event is then checked to have been carried
// out exactly once.
import { cpus } from 'node:os';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../db/client';
import { startRoundRobin } from '../fixtures/round-robin';
import { count, progress } from './cli';
import { checkOutcome } from './lark-checks';
import { larkEvents } from './lark-events';
import { drained, startBotServer, WEBHOOK, type FakeLark, type Server } from './lark-process';
import { paced } from './paced';
import type { PgServer } from './pg-server';
import { row, type Row } from './report';

// untimed, through the balancer: every instance's JIT, its SDK token, the first pages
const WARMUP_EVENTS = 300;

export interface Pace {
  instances: number;
  /** registrations per second, from the first post until the last reply was committed */
  perSecond: number;
  /** events not acknowledged with 200, and acknowledged ones not carried out exactly once (or rows for none) */
  notAcked: number;
  notExactlyOnce: number;
  /** requests each instance answered */
  served: number[];
  /** how long posting took, and the whole run, seconds */
  postingSeconds: number;
  totalSeconds: number;
}

async function startInstances(fake: FakeLark, url: string, n: number): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    // one after another: the first seeds the staff, the others find them
    for (let i = 0; i < n; i++) servers.push(await startBotServer(fake, url));
    return servers;
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
}

export async function registrationPace(fake: FakeLark, pg: PgServer, instances: number, events: number, rate: number): Promise<Pace> {
  const url = await pg.createDatabase();
  const servers = await startInstances(fake, url, instances);
  try {
    const balancer = await startRoundRobin(servers.map((s) => s.url('')));
    try {
      const target = `${balancer.url}${WEBHOOK}`;
      const warm = larkEvents('warm', WARMUP_EVENTS, 2);
      const { shots: warmShots } = await paced(target, warm, rate);
      await drained(servers[0]!);
      const servedBefore = [...balancer.served];

      const load = larkEvents('load', events, 3);
      progress(`${instances} instance(s): ${count(events)} events at ${rate}/s through the balancer\n`);
      const startedAt = Date.now();
      const { shots } = await paced(target, load, rate);
      const postingSeconds = (Date.now() - startedAt) / 1000;
      // pending rows of every instance: they share the inbox
      await drained(servers[0]!);

      const all = [...warm.map((event, i) => ({ event, shot: warmShots[i]! })), ...load.map((event, i) => ({ event, shot: shots[i]! }))];
      const acked = all.filter(({ shot }) => shot.status === 200).map(({ event, shot }) => ({ event, at: shot.answeredAt }));
      const db = await openDatabase(url);
      try {
        const outcome = await checkOutcome(db, acked);
        const [last] = await db.all<{ at: number }>(sql`SELECT max(created_at) AS at FROM outbox WHERE dedupe_key LIKE 'reply:lark:ev_load_%'`);
        const totalSeconds = (last!.at - startedAt) / 1000;
        return {
          instances,
          perSecond: shots.filter((s) => s.status === 200).length / totalSeconds,
          notAcked: all.filter(({ shot }) => shot.status !== 200).length,
          notExactlyOnce: outcome.notExactlyOnce + outcome.strays,
          served: balancer.served.map((n, i) => n - servedBefore[i]!),
          postingSeconds,
          totalSeconds,
        };
      } finally {
        await db.close();
      }
    } finally {
      await balancer.close();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** One instance, then three, each on a database of its own. */
export async function oneVersusThree(fake: FakeLark, pg: PgServer, events: number, rate: number): Promise<{ rows: Row[]; notes: string[] }> {
  const one = await registrationPace(fake, pg, 1, events, rate);
  const three = await registrationPace(fake, pg, 3, events, rate);
  const paces = [one, three];
  return {
    rows: [
      row('registrations end to end, 1 instance on PostgreSQL', one.perSecond, 'events/s'),
      row('registrations end to end, 3 instances on one PostgreSQL database', three.perSecond, 'events/s'),
      row('3 instances ÷ 1 instance', three.perSecond / one.perSecond, '×'),
      row('events not acknowledged with 200, 1 and 3 instances', one.notAcked + three.notAcked, 'events', { target: 0 }),
      row('acknowledged events not carried out exactly once (or rows for none), 1 and 3 instances', one.notExactlyOnce + three.notExactlyOnce, 'events', { target: 0 }),
    ],
    notes: [
      `instances: ${count(events)} 收文登记 events (after ${WARMUP_EVENTS} untimed) posted open-loop at ${rate}/s through tests/fixtures/round-robin.ts (in the benchmark's process) to 1, then 3 bot processes on a fresh PostgreSQL database each; registrations per second = acknowledged events ÷ time from the first post until the last reply was committed to the outbox; ${paces.map((p) => `${p.instances}: posting ${p.postingSeconds.toFixed(1)} s, all replies committed after ${p.totalSeconds.toFixed(1)} s, requests per instance ${p.served.join('/')}`).join('; ')}`,
      `on a machine of ${cpus().length} cores, three instances share those cores with PostgreSQL, the balancer and the load generator: the figure shows what coordinating through the database costs (one transaction per message, claims with SKIP LOCKED, the year's counter row held by each registration until it commits, three outbox dispatchers and heartbeats), not how the bot scales; several instances are for surviving the loss of one (docs/postgresql.md)`,
    ],
  };
}
