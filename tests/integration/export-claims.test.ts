// Ledger exports when several bot instances share one database: each request is made by one
// export worker, one whose instance died is taken over once its claim has run out, and the late
// result of a claim that ran out changes nothing.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_LEASE_MS } from '../../src/jobs/export-worker';
import { LEDGER_TIMEOUT_MS } from '../../src/jobs/ledger-file';
import { otherInstance } from '../fixtures/other-instance';
import { makeBot } from '../helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function twoInstances() {
  const t = await makeBot();
  cleanups.push(() => t.close());
  return { t, other: await otherInstance(t, cleanups) };
}

const fileNamed = (dir: string, name: string) => ({ path: join(dir, name), name, caption: name });

describe('export requests on instances sharing a database', () => {
  it('are each claimed by one worker when two claim at the same moment', async () => {
    const { t, other } = await twoInstances();
    for (let i = 0; i < 5; i++) expect(await t.say('导出 督办 2026')).toContain('正在生成 2026 年督办台账');
    // on SQLite, instances are processes that take turns at the write lock; two in one process
    // would wait for it synchronously, holding the event loop the holder needs to commit, so there
    // the claims race within one instance (its loop and the REPL's drain, say)
    const claimers = t.bot.db.dialect === 'pg' ? [t.bot, other] : [t.bot, t.bot];
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimers.map((bot) => bot.services.exports.next(EXPORT_LEASE_MS))).flat());
    const ids = claims.flatMap((c) => (c ? [c.id] : []));
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(await t.column("SELECT DISTINCT status FROM export_requests")).toEqual(['working']);
  });

  it('take over a claim older than the lease, and leave the late result of the old one unrecorded', async () => {
    // a live worker has settled its request by the time the lease runs out
    expect(EXPORT_LEASE_MS).toBeGreaterThan(LEDGER_TIMEOUT_MS);
    const { t, other } = await twoInstances();
    await t.say('导出 督办 2026');
    const stale = (await t.bot.services.exports.next(EXPORT_LEASE_MS))!;
    t.clock.advance(EXPORT_LEASE_MS - 1);
    expect(await other.services.exports.next(EXPORT_LEASE_MS)).toBeUndefined();
    t.clock.advance(1);
    const taken = (await other.services.exports.next(EXPORT_LEASE_MS))!;
    expect(taken.id).toBe(stale.id);
    // the first worker's result, late: the request stays with the one that took it over
    expect(await t.bot.db.tx(() => t.bot.services.exports.done(stale, fileNamed(t.dir, 'stale.xlsx')))).toBe(false);
    expect(await t.rows('SELECT status, file FROM export_requests')).toEqual([{ status: 'working', file: null }]);
    expect(await other.db.tx(() => other.services.exports.done(taken, fileNamed(t.dir, 'taken.xlsx')))).toBe(true);
    // and after it is done
    expect(await t.bot.db.tx(() => t.bot.services.exports.done(stale, fileNamed(t.dir, 'stale.xlsx')))).toBe(false);
    expect(await t.bot.db.tx(() => t.bot.services.exports.failed(stale, 'killed'))).toBe(false);
    expect(await t.rows('SELECT status, file, error FROM export_requests')).toEqual([{ status: 'done', file: join(t.dir, 'taken.xlsx'), error: null }]);
    // one file sent, no apology
    expect(await t.scalar("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'export:%'")).toBe(1);
    expect(await t.scalar("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'export:1:failed%'")).toBe(0);
    expect(await other.services.exports.next(EXPORT_LEASE_MS)).toBeUndefined();
  });
});
