// Webhook acknowledgements at full speed on SQLite and on PostgreSQL, each divided by the bare
// Express endpoint answering the same requests in the same run (full-speed.ts, as the lark section
// measures it). An acknowledgement waits for its event's inbox row to be committed, so this is
// where the database's commit shows in what Feishu sees.
import { join } from 'node:path';
import { count, progress } from './cli';
import { bareFullSpeed, WARMUP_SECONDS, webhookFullSpeed } from './full-speed';
import { larkEvents, type LarkEvent } from './lark-events';
import { startBotServer, type FakeLark } from './lark-process';
import type { PgServer } from './pg-server';
import { row, type Row } from './report';

// the floor for either dialect (the lark section holds SQLite to 0.4 on its own)
const AT_LEAST = 0.3;

interface Acks {
  perSecond: number;
  failed: number;
  exhausted: boolean;
  /** events acknowledged but not yet carried out when the run ended */
  backlog: number;
}

/** A fresh bot server on `location`, the events at full speed, then stopped. */
async function acksOn(fake: FakeLark, location: string, events: readonly LarkEvent[], connections: number, seconds: number, label: string): Promise<Acks> {
  const server = await startBotServer(fake, location);
  try {
    const run = await webhookFullSpeed(server, events, connections, seconds, label);
    const { pending } = (await server.ask('pending')) as { pending: number };
    return { ...run, backlog: pending };
  } finally {
    await server.stop();
  }
}

export async function webhookAcks(fake: FakeLark, pg: PgServer, dir: string, connections: number, seconds: number, poolSize: number): Promise<{ rows: Row[]; notes: string[] }> {
  progress(`making ${count(poolSize)} distinct signed, encrypted events\n`);
  // each bot gets a fresh database, so both are sent the same events
  const events = larkEvents('max', poolSize, 1);
  const bare = await bareFullSpeed(events, connections, seconds);
  const onSqlite = await acksOn(fake, join(dir, 'acks.db'), events, connections, seconds, 'webhook on SQLite');
  const onPostgres = await acksOn(fake, await pg.createDatabase(), events, connections, seconds, 'webhook on PostgreSQL');
  const exhausted = [onSqlite.exhausted && 'SQLite', onPostgres.exhausted && 'PostgreSQL'].filter(Boolean);
  return {
    rows: [
      row('bare Express JSON endpoint, full speed', bare.perSecond, 'req/s'),
      row('webhook acknowledgements, full speed, PostgreSQL', onPostgres.perSecond, 'req/s', { baseline: bare.perSecond }),
      row('webhook acknowledgements, full speed, SQLite', onSqlite.perSecond, 'req/s', { baseline: bare.perSecond }),
      row('webhook ÷ bare endpoint, PostgreSQL', onPostgres.perSecond / bare.perSecond, '×', { atLeast: AT_LEAST }),
      row('webhook ÷ bare endpoint, SQLite', onSqlite.perSecond / bare.perSecond, '×', { atLeast: AT_LEAST }),
      row('webhook answers other than 2xx at full speed, PostgreSQL and SQLite', onPostgres.failed + onSqlite.failed, 'requests', { target: 0 }),
      row('commands left waiting in the inbox when the full-speed run ended, PostgreSQL', onPostgres.backlog, 'events'),
      row('commands left waiting in the inbox when the full-speed run ended, SQLite', onSqlite.backlog, 'events'),
    ],
    notes: [
      `acknowledgements: autocannon, ${connections} connections, ${seconds} s after ${WARMUP_SECONDS} s of warm-up, against each server in turn (bare, then the bot on SQLite, then on PostgreSQL, each bot a fresh process on a fresh database); the bare endpoint is app.post('/x', express.json(), (req, res) => res.json({})) in a process of its own, sent the same bodies; an event is acknowledged once its inbox row is committed`,
      ...(exhausted.length ? [`the ${count(poolSize)} distinct events ran out before the run on ${exhausted.join(' and ')} ended: it stopped early (BENCH_LARK_POOL raises the number)`] : []),
    ],
  };
}
