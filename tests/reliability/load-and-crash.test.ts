// Nothing acknowledged is lost, nothing is done twice: steady signed, encrypted Feishu load with
// redeliveries, then the same with the server killed (SIGKILL) half-way and restarted.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../db/client';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startFakeLark } from '../fixtures/fake-lark';
import { tempDir } from '../helpers';
import { stop } from '../spawn';
import { spawnServer } from '../fixtures/server-process';
import { testDatabase, type TestDatabase } from '../test-db';
import { grantSenders, loadEnv, p99, postAtRate } from './lark-load';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A database of the run's dialect for the test, dropped after it. */
async function database(): Promise<TestDatabase> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const created = await testDatabase(dir);
  cleanups.push(() => created.drop());
  return created;
}

async function check(db: Db, acked: Set<number>) {
  const numbers = (await db.all<{ doc_number: string }>(sql`SELECT doc_number FROM documents WHERE direction = 'in'`)).map((r) => r.doc_number);
  const seqs = (await db.all<{ seq: number }>(sql`SELECT seq FROM documents WHERE direction = 'in' ORDER BY seq`)).map((r) => r.seq);
  const [counts] = await db.all<{ pending: number; unsent: number }>(sql`
    SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') AS pending,
      (SELECT count(*) FROM outbox WHERE status <> 'sent') AS unsent`);
  return {
    pending: counts!.pending,
    // replies not yet committed as sent: while there are none, nothing more can reach Lark
    unsent: counts!.unsent,
    numbers,
    seqs,
    missing: [...acked].filter((i) => !numbers.includes(`测〔2026〕${i}号`)),
  };
}

describe('load', () => {
  it('carries out every acknowledged event exactly once, with redeliveries, and answers each once', async () => {
    const lark = await startFakeLark();
    cleanups.push(() => lark.close());
    const config = loadConfig(loadEnv(await database(), lark.url));
    await grantSenders(config);
    const bot = await createBot({ config, log: createLogger('silent') });
    await bot.start({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => bot.stop());

    const sent = await postAtRate(`http://127.0.0.1:${bot.port()}/webhook/lark/event`, 600, 150);
    const acked = new Set(sent.filter((s) => s.ok).map((s) => s.i));
    console.log(`load: ${sent.length} requests (${sent.length - 600} redeliveries), ${acked.size} events acknowledged, ack p99 ${p99(sent.map((s) => s.ms)).toFixed(1)} ms`);
    expect(acked.size).toBe(600);
    await vi.waitFor(async () => expect(await check(bot.db, acked)).toMatchObject({ pending: 0, unsent: 0 }), { timeout: 30_000, interval: 200 });

    const result = await check(bot.db, acked);
    expect(result.missing).toEqual([]);
    expect(result.numbers).toHaveLength(600);
    expect(new Set(result.numbers).size).toBe(600);
    expect(result.seqs).toEqual(Array.from({ length: 600 }, (_, k) => k + 1));
    expect(lark.posted).toHaveLength(600);
    expect(new Set(lark.posted.map((p) => p.to)).size).toBe(600); // one reply to each message
  });
});

describe('crash', () => {
  /** The bot as a process of its own: node itself, the process that holds the port and the database. */
  async function startServer(e: Record<string, string>) {
    const server = spawnServer(e);
    cleanups.push(async () => void (await stop(server.child, 'SIGKILL')));
    return { child: server.child, port: await server.listening };
  }

  it('loses nothing acknowledged and does nothing twice when killed with SIGKILL under load', async () => {
    const lark = await startFakeLark();
    cleanups.push(() => lark.close());
    const e = loadEnv(await database(), lark.url);
    const config = loadConfig(e);
    await grantSenders(config);
    // the test's own connection to what the server processes leave, open beside them
    const db = await openDatabase(config.database);
    cleanups.push(() => db.close());

    const first = await startServer(e);
    const url = `http://127.0.0.1:${first.port}/webhook/lark/event`;
    let killed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
    // Lark fails for a while, so that replies are waiting when the server is killed half-way
    // through the load: the restart has work to do, whatever the speed of this machine
    const sending = postAtRate(url, 600, 150, () => killed !== null, (sent) => {
      if (sent === 250) lark.setMode('error');
      if (sent === 300) killed = stop(first.child, 'SIGKILL');
    });
    const sent = await sending;
    // the server is gone: its process, and with it the port and the database connection
    expect(await killed).toEqual({ code: null, signal: 'SIGKILL' });
    expect(() => process.kill(first.child.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    const acked = new Set(sent.filter((s) => s.ok).map((s) => s.i));
    expect(acked.size).toBeGreaterThan(50);
    const left = await check(db, acked);
    console.log(`crash: ${acked.size} acknowledged before SIGKILL, ${acked.size - left.numbers.length} of them not yet carried out, ${left.unsent} replies not yet sent`);
    expect(left.unsent + left.pending).toBeGreaterThan(0);
    lark.setMode('ok');

    const restarted = performance.now();
    await startServer(e);
    // the replies the dead process had claimed are taken over once it has missed its heartbeats,
    // not when their lease (a minute) runs out: a hang guard well inside the lease
    expect(config.outbox.leaseMs).toBeGreaterThanOrEqual(60_000);
    await vi.waitFor(async () => expect(await check(db, acked)).toMatchObject({ pending: 0, unsent: 0 }), { timeout: 40_000, interval: 100 });
    console.log(`crash: backlog carried out and answered ${Math.round(performance.now() - restarted)} ms after the restart`);

    const result = await check(db, acked);
    // SQLite's file checked page by page; PostgreSQL recovers from its own log on restart and
    // offers no such check without an extension
    if (db.sqlite) expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(result.missing).toEqual([]);
    expect(new Set(result.numbers).size).toBe(result.numbers.length);
    expect(result.seqs).toEqual(Array.from({ length: result.seqs.length }, (_, k) => k + 1));
    expect(new Set(lark.posted.map((p) => p.to)).size).toBe(result.numbers.length);
    expect(lark.posted).toHaveLength(result.numbers.length);
  });
});
