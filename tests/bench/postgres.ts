// The PostgreSQL issue's figures, each on PostgreSQL beside SQLite in the same run:
// (1) webhook acknowledgements at full speed ÷ a bare Express endpoint, ≥ 0.3× (pg-acks.ts);
// (2) 收文登记 through the engine p99 ≤ 10 ms and (3) 公文查询 by a two-character keyword over
// 1,000,000 documents p99 ≤ 50 ms, in fresh bot processes (pg-core.ts); (4) registrations per
// second end to end with one and with three instances on one database (pg-instances.ts).
//
// PostgreSQL is BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), a role that may
// create databases: every database the section needs is made there afresh and dropped at the end,
// however it ends (pg-server.ts). Without a server the section fails with one line saying so.
//
// Knobs: BENCH_DOCS (1,000,000), BENCH_RUNS (2 bot processes per dialect), BENCH_LARK_CONNECTIONS
// (20), BENCH_LARK_SECONDS (10), BENCH_LARK_POOL (60,000) as in the lark section,
// BENCH_PG_EVENTS (3,000 events per instance configuration), BENCH_PG_RATE (1,000 events/s offered).
import { cpus, loadavg } from 'node:os';
import { startFakeLark } from '../fixtures/fake-lark';
import { envCount, inScratchDir } from './cli';
import { webhookAcks } from './pg-acks';
import { coreOnBoth } from './pg-core';
import { oneVersusThree } from './pg-instances';
import { withPgServer } from './pg-server';
import type { Section, SectionResult } from './report';

/** The machine's load (1-minute average) when each part ended, for reading figures taken on a shared machine. */
class LoadLog {
  private readonly parts: string[] = [];
  mark(part: string): void {
    this.parts.push(`${part} ${loadavg()[0]!.toFixed(1)}`);
  }
  note(): string {
    return `machine load average (1 min) at the end of each part: ${this.parts.join(', ')}, on ${cpus().length} cores (figures include waiting for a CPU)`;
  }
}

async function run(): Promise<SectionResult> {
  const docs = envCount('BENCH_DOCS', 1_000_000);
  const runs = envCount('BENCH_RUNS', 2);
  const connections = envCount('BENCH_LARK_CONNECTIONS', 20);
  const seconds = envCount('BENCH_LARK_SECONDS', 10);
  const poolSize = envCount('BENCH_LARK_POOL', 60_000);
  const events = envCount('BENCH_PG_EVENTS', 3_000);
  const rate = envCount('BENCH_PG_RATE', 1_000);
  return withPgServer(async (pg) => {
    const fake = await startFakeLark();
    try {
      return await inScratchDir(async (dir) => {
        const load = new LoadLog();
        load.mark('at the start');
        const acks = await webhookAcks(fake, pg, dir, connections, seconds, poolSize);
        load.mark('acknowledgements');
        const core = await coreOnBoth(pg, dir, docs, runs);
        load.mark('builds and bot processes');
        const instances = await oneVersusThree(fake, pg, events, rate);
        load.mark('instances');
        return {
          name: 'postgres',
          rows: [...acks.rows, ...core.rows, ...instances.rows],
          notes: [...acks.notes, ...core.notes, ...instances.notes, load.note()],
        };
      });
    } finally {
      await fake.close();
    }
  });
}

export const postgres: Section = { name: 'postgres', run };
