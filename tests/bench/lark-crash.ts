// Issue 10's crash figure: the server killed with SIGKILL under the sustained load, half-way,
// and started again on the same database. Measured: from the restart until every event it had
// acknowledged before dying is carried out (target ≤ 5 s); and that each was carried out once,
// the database whole (integrity_check) and the registration numbers without gaps.
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../db/client';
import { sqliteOf } from './bulk';
import { count, progress } from './cli';
import { checkOutcome } from './lark-checks';
import { larkEvents } from './lark-events';
import { drained, startBotServer, WEBHOOK, type FakeLark } from './lark-process';
import { paced } from './paced';
import { row, type Row } from './report';

const LOAD_SECONDS = 4;
const KILL_AFTER_MS = 2_000;

export async function crashAndRecover(fake: FakeLark, dir: string, rate: number): Promise<{ rows: Row[]; notes: string[] }> {
  const path = join(dir, 'crash.db');
  const first = await startBotServer(fake, path);
  const events = larkEvents('crash', rate * LOAD_SECONDS, 5);
  progress(`crash: ${count(events.length)} events at ${rate}/s, SIGKILL after ${KILL_AFTER_MS / 1000} s, restart\n`);
  const load = paced(first.url(WEBHOOK), events, rate);
  await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
  await first.kill();
  const { shots } = await load;
  const acked = events.flatMap((event, i) => (shots[i]!.status === 200 ? [{ event, at: shots[i]!.answeredAt }] : []));

  const restartedAt = performance.now();
  const second = await startBotServer(fake, path);
  const readyMs = performance.now() - restartedAt;
  await drained(second);
  const recoveredMs = performance.now() - restartedAt;
  await second.stop();

  const db = await openDatabase(path);
  const outcome = await checkOutcome(db, acked);
  const integrity = sqliteOf(db).pragma('integrity_check', { simple: true });
  const seqs = (await db.all<{ seq: number }>(sql`SELECT seq FROM documents WHERE direction = 'in' ORDER BY seq`)).map((r) => r.seq);
  await db.close();
  const gaps = seqs.filter((seq, i) => seq !== i + 1).length;

  return {
    rows: [
      row('crash: events acknowledged before the SIGKILL', acked.length, 'events'),
      row('crash: restart until listening', readyMs / 1000, 's'),
      row('crash: restart until every acknowledged event is carried out', recoveredMs / 1000, 's', { target: 5 }),
      row('crash: acknowledged events not carried out exactly once', outcome.notExactlyOnce, 'events', { target: 0 }),
      row('crash: integrity_check not ok / registration numbers out of sequence', Number(integrity !== 'ok') + gaps, '', { target: 0 }),
    ],
    notes: [
      `crash: ${count(events.length)} events paced at ${rate}/s against the server, killed with SIGKILL ${KILL_AFTER_MS / 1000} s in (the rest of the load meets a closed port), then a new server process on the same database; "restart until…" counts from starting that process (its start-up included)`,
    ],
  };
}
