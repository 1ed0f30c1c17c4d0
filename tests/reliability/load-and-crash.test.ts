// Nothing acknowledged is lost, nothing is done twice: steady signed, encrypted Feishu load with
// redeliveries, then the same with the server killed (SIGKILL) half-way and restarted.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { systemActor } from '../../src/services/actor';
import { startFakeLark } from '../fixtures/fake-lark';
import { tempDir } from '../helpers';
import { exited, spawnNode, stop } from '../spawn';
import { KEY, SENDERS, p99, postAtRate } from './lark-load';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function env(dir: string, lark: string): Record<string, string> {
  return { DATABASE_PATH: join(dir, 'bot.db'), LARK_APP_ID: 'cli_rel', LARK_APP_SECRET: 'rel-secret', LARK_ENCRYPT_KEY: KEY, LARK_DOMAIN: lark, LOG_LEVEL: 'silent', ADMIN_IDS: 'lark:ou_admin' };
}

/** The senders hold the staff role, so each event registers a document. */
async function grantSenders(config: ReturnType<typeof loadConfig>): Promise<void> {
  const bot = await createBot({ config: { ...config, lark: null }, log: createLogger('silent') });
  for (let s = 0; s < SENDERS; s++) bot.services.people.grant({ platform: 'lark', userId: `ou_s${s}` }, `员工${s}`, 'staff', null, systemActor('test'));
  await bot.stop();
}

function check(dbPath: string, acked: Set<number>) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const numbers = db.prepare("SELECT doc_number FROM documents WHERE direction = 'in'").pluck().all() as string[];
    const seqs = db.prepare("SELECT seq FROM documents WHERE direction = 'in' ORDER BY seq").pluck().all() as number[];
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      pending: db.prepare("SELECT count(*) FROM inbox WHERE status = 'pending'").pluck().get() as number,
      // replies not yet committed as sent: while there are none, nothing more can reach Lark
      unsent: db.prepare("SELECT count(*) FROM outbox WHERE status <> 'sent'").pluck().get() as number,
      numbers,
      seqs,
      missing: [...acked].filter((i) => !numbers.includes(`测〔2026〕${i}号`)),
    };
  } finally {
    db.close();
  }
}

describe('load', () => {
  it('carries out every acknowledged event exactly once, with redeliveries, and answers each once', async () => {
    const lark = await startFakeLark();
    cleanups.push(() => lark.close());
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const config = loadConfig(env(dir, lark.url));
    await grantSenders(config);
    const bot = await createBot({ config, log: createLogger('silent') });
    await bot.start({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => bot.stop());

    const sent = await postAtRate(`http://127.0.0.1:${bot.port()}/webhook/lark/event`, 600, 150);
    const acked = new Set(sent.filter((s) => s.ok).map((s) => s.i));
    console.log(`load: ${sent.length} requests (${sent.length - 600} redeliveries), ${acked.size} events acknowledged, ack p99 ${p99(sent.map((s) => s.ms)).toFixed(1)} ms`);
    expect(acked.size).toBe(600);
    await vi.waitFor(() => expect(check(config.databasePath, acked)).toMatchObject({ pending: 0, unsent: 0 }), { timeout: 30_000, interval: 200 });

    const result = check(config.databasePath, acked);
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
  function startServer(e: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
    const child = spawnNode('tests/fixtures/bot-server.ts', [], e);
    cleanups.push(async () => void (await stop(child, 'SIGKILL')));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening (\d+)/.exec(out);
        if (m) resolve({ child, port: Number(m[1]) });
      });
      void exited(child).then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    });
  }

  it('loses nothing acknowledged and does nothing twice when killed with SIGKILL under load', async () => {
    const lark = await startFakeLark();
    cleanups.push(() => lark.close());
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const e = env(dir, lark.url);
    const config = loadConfig(e);
    await grantSenders(config);

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
    const dbPath = join(dir, 'bot.db');
    const left = check(dbPath, acked);
    console.log(`crash: ${acked.size} acknowledged before SIGKILL, ${acked.size - left.numbers.length} of them not yet carried out, ${left.unsent} replies not yet sent`);
    expect(left.unsent + left.pending).toBeGreaterThan(0);
    lark.setMode('ok');

    const restarted = performance.now();
    await startServer(e);
    // the replies the dead process had claimed are taken over once it has missed its heartbeats,
    // not when their lease (a minute) runs out: a hang guard well inside the lease
    expect(config.outbox.leaseMs).toBeGreaterThanOrEqual(60_000);
    await vi.waitFor(() => expect(check(dbPath, acked)).toMatchObject({ pending: 0, unsent: 0 }), { timeout: 40_000, interval: 100 });
    console.log(`crash: backlog carried out and answered ${Math.round(performance.now() - restarted)} ms after the restart`);

    const result = check(dbPath, acked);
    expect(result.integrity).toBe('ok');
    expect(result.missing).toEqual([]);
    expect(new Set(result.numbers).size).toBe(result.numbers.length);
    expect(result.seqs).toEqual(Array.from({ length: result.seqs.length }, (_, k) => k + 1));
    expect(new Set(lark.posted.map((p) => p.to)).size).toBe(result.numbers.length);
    expect(lark.posted).toHaveLength(result.numbers.length);
  });
});
