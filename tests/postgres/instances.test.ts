// Three bot instances on one PostgreSQL database behind a round-robin balancer, as a city or a
// standby deployment runs them: signed, encrypted Feishu events with redeliveries spread over the
// three, one instance killed with SIGKILL while its replies are in flight. Every acknowledged
// event is carried out exactly once, registration numbers stay gap-free, every message is answered
// once, and the dead instance's claimed replies go out from another within 10 s.
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { systemActor } from '../../src/services/actor';
import { runJob } from '../../src/jobs/run-job';
import { envelopeOf } from '../../src/platforms/lark';
import { mapMessageEvent } from '../../src/platforms/lark/mapping';
import { startFakeLark } from '../fixtures/fake-lark';
import { otherInstance } from '../fixtures/other-instance';
import { messageEvent } from '../fixtures/lark';
import { startRoundRobin } from '../fixtures/round-robin';
import { spawnServer } from '../fixtures/server-process';
import { makeBot, scratchDatabase, type TestBot } from '../helpers';
import { grantSenders, loadEnv, postAtRate } from '../reliability/lark-load';
import { stop } from '../spawn';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const EVENTS = 600;

describe('three instances on one PostgreSQL database', () => {
  it('carry out every acknowledged event once, keep numbers gap-free, and take a killed instance’s replies over within 10 s', async () => {
    const lark = await startFakeLark();
    cleanups.push(() => lark.close());
    const { database } = await scratchDatabase(cleanups);
    // a hanging Feishu call ends soon, so the living instances are not held up by the hang below
    const env = { ...loadEnv(database, lark.url), HTTP_TIMEOUT_MS: '1500' };
    const config = loadConfig(env);
    await grantSenders(config);

    const servers = [0, 1, 2].map(() => spawnServer(env));
    for (const s of servers) cleanups.push(() => stop(s.child, 'SIGKILL'));
    const ports = await Promise.all(servers.map((s) => s.listening));
    const balancer = await startRoundRobin(ports.map((p) => `http://127.0.0.1:${p}`));
    cleanups.push(() => balancer.close());

    const check = new pg.Pool({ connectionString: database.location, max: 2 });
    cleanups.push(() => check.end());
    const value = async <T,>(text: string, params: unknown[] = []) => (await check.query(text, params)).rows[0]?.v as T;

    let killedAt = 0;
    let killed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
    // the replies held at the moment of death, read as soon as the process is gone
    let held: Promise<{ rows: { id: number; owner: string }[]; beats: Map<string, number> }> | null = null;
    const sent = await postAtRate(`${balancer.url}/webhook/lark/event`, EVENTS, 150, () => false, (n) => {
      // Feishu stops answering: every instance's sends hang, so replies are claimed and in flight
      if (n === 200) lark.setMode('hang');
      if (n === 300) {
        // timed by this process's monotonic clock: the instances' clocks are theirs (and under
        // faketime not this test's), so the kill is never compared with a time they wrote
        killedAt = performance.now();
        killed = stop(servers[1]!.child, 'SIGKILL');
        held = killed.then(async () => ({
          rows: (await check.query<{ id: number; owner: string }>("SELECT id, lease_owner AS owner FROM outbox WHERE status = 'pending' AND lease_owner IS NOT NULL")).rows,
          beats: new Map((await check.query<{ owner: string; heartbeat_at: number }>('SELECT owner, heartbeat_at FROM outbox_owners')).rows.map((r) => [r.owner, r.heartbeat_at])),
        }));
        lark.setMode('ok');
      }
    });
    expect(await killed).toEqual({ code: null, signal: 'SIGKILL' });
    expect(() => process.kill(servers[1]!.child.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    const acked = new Set(sent.filter((s) => s.ok).map((s) => s.i));
    // the balancer passes the dead instance over, so nothing is refused
    expect(acked.size).toBe(EVENTS);
    expect(balancer.served.every((n) => n > 50)).toBe(true);

    // the dead instance is the owner that stops beating; the replies it had claimed wait for the takeover
    const { rows, beats } = await held!;
    const advanced = async () => (await check.query<{ owner: string; heartbeat_at: number }>('SELECT owner, heartbeat_at FROM outbox_owners')).rows.filter((r) => r.heartbeat_at > (beats.get(r.owner) ?? Infinity));
    await vi.waitFor(async () => expect(await advanced()).toHaveLength(2), { timeout: 20_000, interval: 100 });
    const alive = new Set((await advanced()).map((r) => r.owner));
    const dead = [...beats.keys()].filter((owner) => !alive.has(owner));
    expect(dead).toHaveLength(1);
    const claimed = rows.filter((r) => r.owner === dead[0]).map((r) => r.id);
    expect(claimed.length).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await value<number>("SELECT count(*) AS v FROM outbox WHERE id = ANY($1) AND status = 'sent'", [claimed])).toBe(claimed.length), { timeout: 30_000, interval: 100 });
    const takenOver = performance.now() - killedAt;
    console.log(`instances: ${claimed.length} replies claimed by the killed instance, all sent within ${Math.round(takenOver)} ms of the kill`);
    expect(takenOver).toBeLessThan(10_000);

    await vi.waitFor(async () => expect(await value<number>("SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + (SELECT count(*) FROM outbox WHERE status <> 'sent') AS v")).toBe(0), { timeout: 60_000, interval: 200 });
    const numbers = (await check.query<{ doc_number: string; seq: number }>("SELECT doc_number, seq FROM documents WHERE direction = 'in' ORDER BY seq")).rows;
    expect(numbers.map((r) => r.seq)).toEqual(Array.from({ length: EVENTS }, (_, k) => k + 1));
    expect(new Set(numbers.map((r) => r.doc_number))).toEqual(new Set([...acked].map((i) => `测〔2026〕${i}号`)));
    // one reply to each message, none twice (Feishu drops a repeated uuid; the fake counts deliveries)
    expect(new Set(lark.posted.map((p) => p.to)).size).toBe(EVENTS);
    expect(lark.posted).toHaveLength(EVENTS);
  });
});

describe('several instances in one process each, on one database', () => {
  /** `count` more bots on t's database, with t's clock, as other instances would be. */
  async function instances(t: TestBot, count: number) {
    const bots = [];
    for (let i = 0; i < count; i++) bots.push(await otherInstance(t, cleanups));
    return bots;
  }

  it('run a job slot once when all three start it at the same moment', async () => {
    const t = await makeBot({ now: '2026-11-30T09:10:00+08:00' });
    cleanups.push(() => t.close());
    await t.say('授权 console:leader 角色=领导');
    await t.say('收文登记 标题=关于冬季安全生产的通知 来文单位=市政府办公室 收文日期=2026-11-30');
    const [a, b] = await instances(t, 2);
    const at = Date.parse('2026-11-30T09:10:00+08:00');
    const runs = await Promise.all([t.bot, a!, b!].map((bot) => runJob(bot.services, 'weekly-report', at)));
    expect(runs.map((r) => r.summary.outcome).sort()).toEqual(['already-ran', 'already-ran', 'done']);
    expect(await t.scalar<number>("SELECT count(*) FROM job_runs WHERE job = 'weekly-report'")).toBe(1);
    // the leader's one report, queued once
    expect(await t.scalar<number>("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'job:weekly-report:%'")).toBe(1);
  });

  it('carry out an event once when Feishu’s long connection delivers it to two instances', async () => {
    const t = await makeBot({ now: '2026-11-30T09:10:00+08:00' });
    cleanups.push(() => t.close());
    await t.say('授权 lark:ou_staff 角色=员工');
    const [other] = await instances(t, 1);
    // what the SDK hands each connection's handler: the event flattened beside the header's fields
    const event = messageEvent({ eventId: 'ev_twice', messageId: 'om_twice', openId: 'ou_staff', chatId: 'oc_staff', text: '收文登记 标题=关于冬季防火的通知 来文单位=市应急管理局' });
    const delivered = () => {
      const mapped = mapMessageEvent(envelopeOf({ ...event.header, ...event.event }, 'im.message.receive_v1'), 'ou_bot', t.clock.now());
      if (mapped.kind !== 'message') throw new Error(mapped.reason);
      return mapped.message;
    };
    const fresh = await Promise.all([t.bot.receive(delivered()), other!.receive(delivered())]);
    expect(fresh.sort()).toEqual([false, true]);
    await Promise.all([t.bot.worker.drain(), other!.worker.drain()]);
    expect(await t.column("SELECT reg_no FROM documents")).toEqual(['SW-2026-0001']);
    expect(await t.scalar<number>("SELECT count(*) FROM outbox WHERE platform = 'lark'")).toBe(1);
  });

  it('register a 文号 once when two instances register it at the same moment', async () => {
    const t = await makeBot({ now: '2026-11-30T09:10:00+08:00' });
    cleanups.push(() => t.close());
    const [other] = await instances(t, 1);
    const input = { title: '关于冬季防火的通知', sourceUnit: '市应急管理局', docNumber: '市应急〔2026〕9号', urgency: '平件' as const, secrecy: '', receivedDate: '2026-11-30' };
    const actor = systemActor('test');
    // the first registration stays uncommitted until the second has had its chance
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    // a failing assertion below must not leave the transaction open for the cleanup to wait on
    cleanups.push(() => commit());
    let registered!: () => void;
    const inserted = new Promise<void>((resolve) => (registered = resolve));
    const first = t.bot.db.tx(async () => {
      const doc = await t.bot.services.documents.registerIncoming(input, actor);
      registered();
      await gate;
      return doc.regNo;
    });
    await inserted;
    const second = other!.db.tx(() => other!.services.documents.registerIncoming(input, actor)).then(
      (doc) => doc.regNo,
      (error: Error) => error.message,
    );
    let secondDone = false;
    void second.then(() => (secondDone = true));
    // the second is through, or waits on a lock: the 文号's (or, were it not taken, the counter row's)
    await vi.waitFor(async () => expect(secondDone || (await t.scalar<number>('SELECT count(*) FROM pg_locks WHERE NOT granted')) === 1).toBe(true));
    commit();
    expect(await first).toBe('SW-2026-0001');
    expect(await second).toContain('已登记为 SW-2026-0001');
    expect(await t.column('SELECT reg_no FROM documents')).toEqual(['SW-2026-0001']);
  });
});
