import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { SendError, type Outgoing, type Sender } from '../../src/lib/delivery';
import { consoleMessage } from '../../src/platforms/console/receiver';
import { renderPlain } from '../../src/platforms/console/render';
import { OWNER_STALE_MS } from '../../src/services/outbox';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { testDatabase, type TestDatabase } from '../test-db';

const open: TestBot[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close().catch(() => {});
  dirs.splice(0).forEach((c) => c());
});

async function bot(options: Parameters<typeof makeBot>[0] = {}) {
  const t = await makeBot(options);
  open.push(t);
  return t;
}

/** A sender that fails the first `failures` tries of each message the way `fail` says. */
function flakySender(failures: number, fail: (m: Outgoing) => Error = () => new Error('HTTP 500')) {
  const delivered: Outgoing[] = [];
  const tries: Outgoing[] = [];
  const sender: Sender = {
    async send(m) {
      tries.push(m);
      if (tries.filter((x) => x.id === m.id).length <= failures) throw fail(m);
      delivered.push(m);
    },
  };
  return { sender, delivered, tries };
}

/**
 * A database that outlives the bots made on it, for a restart, dropped when the test is done:
 * makeBot gives each bot a database of its own (on PostgreSQL a new one, which this one then
 * stands in for through `env`; on SQLite the folder's file, the same either way).
 */
async function lasting(dir: string): Promise<TestDatabase> {
  const database = await testDatabase(dir);
  onTestFinished(() => database.drop());
  return database;
}

describe('inbox', () => {
  it('processes an event delivered three times once, with one reply', async () => {
    const t = await bot();
    const msg = consoleMessage('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', { platform: 'console', userId: 'admin' }, t.clock.now());
    expect([await t.bot.receive(msg), await t.bot.receive(msg), await t.bot.receive({ ...msg })]).toEqual([true, false, false]);
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(await t.bot.receive(msg)).toBe(false); // after processing too
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
    expect(t.sent).toHaveLength(1);
  });

  it('treats the same message id under a new event id as a redelivery', async () => {
    const t = await bot();
    const msg = { ...consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()), messageId: 'om_1' };
    expect(await t.bot.receive(msg)).toBe(true);
    expect(await t.bot.receive({ ...msg, eventId: 'another-event' })).toBe(false);
  });

  it('stores the events of one webhook turn in one statement, telling each redelivery apart, within the turn too', async () => {
    const t = await bot();
    const event = (eventId: string, messageId: string) => ({ platform: 'lark', eventId, messageId, payload: { eventId } });
    const { db, inbox } = t.bot.services;
    expect(await db.statement(() => inbox.accept([event('e-0', 'om_0')]))).toEqual([true]);
    const turn = [event('e-1', 'om_1'), event('e-1', 'om_1'), event('e-2', 'om_1'), event('e-0', 'om_0'), event('e-3', 'om_3')];
    expect(await db.statement(() => inbox.accept(turn))).toEqual([true, false, false, false, true]);
    expect(await db.statement(() => inbox.accept([]))).toEqual([]);
    expect(await t.column("SELECT event_id FROM inbox WHERE platform = 'lark' ORDER BY id")).toEqual(['e-0', 'e-1', 'e-3']);
  });

  it('keeps a message whose handler crashed and carries it out on a later try', async () => {
    const t = await bot();
    const spy = vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementationOnce(async () => {
      throw new Error('disk I/O error');
    });
    await t.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()));
    expect(await t.bot.worker.drain()).toBe(1);
    expect(await t.column("SELECT status || ':' || attempts FROM inbox")).toEqual(['pending:1']);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(0); // nothing half-done: no reply, no number used
    expect(await t.bot.worker.drain()).toBe(0); // backing off
    t.clock.advance(60_000);
    expect(await t.bot.worker.drain()).toBe(1);
    await t.bot.dispatcher.flush();
    expect(renderPlain(t.sent[0]!.reply)).toContain('SW-2026-0001');
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('commits the rows of a batch around one whose handler crashed, which alone is retried', async () => {
    const t = await bot();
    const register = t.bot.services.documents.registerIncoming.bind(t.bot.services.documents);
    const start = t.clock.now();
    // 乙 fails on its first try only
    vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementation(async (input, actor) => {
      if (input.title === '乙' && t.clock.now() < start + 60_000) throw new Error('disk I/O error');
      return register(input, actor);
    });
    for (const title of ['甲', '乙', '丙']) await t.bot.receive(consoleMessage(`收文登记 标题=${title} 来文单位=市政府办公室`, { platform: 'console', userId: 'admin' }, t.clock.now()));
    expect(await t.bot.worker.drain()).toBe(3);
    const rows = () => t.column("SELECT title || ':' || reg_no FROM documents ORDER BY id");
    expect(await rows()).toEqual(['甲:SW-2026-0001', '丙:SW-2026-0002']);
    expect(await t.column("SELECT status || ':' || attempts FROM inbox ORDER BY id")).toEqual(['done:0', 'pending:1', 'done:0']);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(2);
    t.clock.advance(60_000);
    expect(await t.bot.worker.drain()).toBe(1);
    expect(await rows()).toEqual(['甲:SW-2026-0001', '丙:SW-2026-0002', '乙:SW-2026-0003']);
    expect(await t.scalar('SELECT count(*) FROM outbox')).toBe(3);
  });

  it('gives up after the retry budget with an apology and the error kept', async () => {
    const t = await bot({ env: { INBOX_MAX_ATTEMPTS: '2' } });
    vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementation(async () => {
      throw new Error('boom');
    });
    await t.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()));
    await t.bot.worker.drain();
    t.clock.advance(600_000);
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(await t.column('SELECT status FROM inbox')).toEqual(['failed']);
    expect(await t.scalar('SELECT last_error FROM inbox')).toContain('boom');
    expect(renderPlain(t.sent[0]!.reply)).toContain('处理您的消息时系统出错');
  });

  it('drains without a last empty look: a batch tells whether more rows were due than it took', async () => {
    const t = await bot();
    for (const text of ['我是谁', '帮助', '我是谁']) await t.bot.receive(consoleMessage(text, { platform: 'console', userId: 'admin' }, t.clock.now()));
    const due = vi.spyOn(t.bot.services.inbox, 'due');
    expect(await t.bot.worker.drain()).toBe(3);
    // PostgreSQL takes a row per transaction (three looks), SQLite a batch (one look)
    expect(due).toHaveBeenCalledTimes(t.bot.db.dialect === 'pg' ? 3 : 1);
    expect((await due.mock.results.at(-1)!.value).more).toBe(false);
    expect(await t.column("SELECT count(*) FROM inbox WHERE status = 'done'")).toEqual([3]);
  });

  it('keeps the background worker alive when a step fails (e.g. the database busy)', async () => {
    const t = await bot();
    const due = t.bot.services.inbox.due.bind(t.bot.services.inbox);
    vi.spyOn(t.bot.services.inbox, 'due').mockImplementationOnce(async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    }).mockImplementation(due);
    await t.bot.start();
    await t.bot.receive(consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, t.clock.now()));
    await vi.waitFor(() => expect(t.sent).toHaveLength(1), { timeout: 5000, interval: 50 });
  });

  it('is carried out after a restart between acknowledgement and processing', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const { env } = await lasting(dir);
    const first = await makeBot({ dir, env });
    await first.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, first.clock.now()));
    await first.close(); // acknowledged, never processed
    const second = await bot({ dir, env });
    expect(await second.bot.worker.drain()).toBe(1);
    await second.bot.dispatcher.flush();
    expect(renderPlain(second.sent[0]!.reply)).toContain('SW-2026-0001');
  });
});

describe('outbox', () => {
  it('retries a failed send with backoff, then delivers it once', async () => {
    const flaky = flakySender(2);
    const t = await bot({ senders: { console: flaky.sender }, env: { OUTBOX_RETRY_BASE_MS: '1000' } });
    await t.say('我是谁');
    expect(flaky.tries).toHaveLength(1);
    await t.bot.dispatcher.flush();
    expect(flaky.tries).toHaveLength(1); // not due yet
    t.clock.advance(1000);
    await t.bot.dispatcher.flush();
    t.clock.advance(2000);
    await t.bot.dispatcher.flush();
    expect(flaky.tries).toHaveLength(3);
    expect(flaky.delivered).toHaveLength(1);
    expect(await t.column("SELECT status || ':' || attempts FROM outbox")).toEqual(['sent:3']);
    t.clock.advance(3_600_000);
    await t.bot.dispatcher.flush();
    expect(flaky.tries).toHaveLength(3);
  });

  it('gives up after the cap, keeping the error', async () => {
    const flaky = flakySender(Infinity);
    const t = await bot({ senders: { console: flaky.sender }, env: { OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '1000', OUTBOX_RETRY_CAP_MS: '5000' } });
    await t.say('我是谁');
    for (let i = 0; i < 10; i++) {
      t.clock.advance(5000);
      await t.bot.dispatcher.flush();
    }
    expect(flaky.tries).toHaveLength(3);
    expect(await t.column("SELECT status || ':' || attempts || ':' || last_error FROM outbox")).toEqual(['failed:3:HTTP 500']);
  });

  it('waits as long as a rate-limit answer says, and gives up at once on a permanent error', async () => {
    const limited = flakySender(1, () => new SendError('429', { retryAfterMs: 30_000 }));
    const t = await bot({ senders: { console: limited.sender } });
    await t.say('我是谁');
    t.clock.advance(29_999);
    await t.bot.dispatcher.flush();
    expect(limited.delivered).toHaveLength(0);
    t.clock.advance(1);
    await t.bot.dispatcher.flush();
    expect(limited.delivered).toHaveLength(1);

    const refused = flakySender(Infinity, () => new SendError('bot not in chat', { permanent: true }));
    const u = await bot({ senders: { console: refused.sender } });
    await u.say('我是谁');
    expect(await u.column('SELECT status FROM outbox')).toEqual(['failed']);
    expect(refused.tries).toHaveLength(1);
  });

  it('delivers a conversation’s messages in order, holding later ones behind a failing one', async () => {
    const flaky = flakySender(1);
    const t = await bot({ senders: { console: flaky.sender }, env: { OUTBOX_RETRY_BASE_MS: '1000' } });
    await t.say('我是谁');
    await t.say('帮助');
    expect(flaky.tries.map((m) => m.id)).toEqual([1]); // the second waits for the first
    // and the dispatcher sleeps until the first's retry, not waking at once for a row it may not send
    const retry = await t.scalar<number>('SELECT next_attempt_at FROM outbox WHERE id = 1');
    expect(retry).toBeGreaterThan(t.clock.now());
    expect(await t.bot.services.outbox.nextDueAt(['console'])).toBe(retry);
    t.clock.advance(1000);
    await t.bot.dispatcher.flush();
    expect(flaky.tries.map((m) => m.id)).toEqual([1, 1, 2]); // the second goes only once the first is through
    t.clock.advance(2000);
    await t.bot.dispatcher.flush();
    expect(flaky.delivered.map((m) => m.id)).toEqual([1, 2]);
  });

  it('delivers rows left pending by a stopped process after a restart', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const down = flakySender(Infinity);
    const { env } = await lasting(dir);
    const first = await makeBot({ dir, env, senders: { console: down.sender } });
    await first.say('我是谁');
    await first.bot.db.tx(() => first.bot.db.run(sql`UPDATE outbox SET next_attempt_at = 0`));
    await first.close();

    const second = await bot({ dir, env });
    await second.bot.dispatcher.flush();
    expect(second.sent.map((m) => m.id)).toEqual([1]);
  });

  it('takes over the claims of a process that stopped beating within seconds, and leaves a live one’s alone', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    let kill = () => {};
    const hanging = { send: vi.fn<Sender['send']>(() => new Promise<void>((_, reject) => (kill = () => reject(new Error('process gone'))))) };
    const { env } = await lasting(dir);
    const first = await makeBot({ dir, env, senders: { console: hanging } });
    await first.bot.receive(consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, first.clock.now()));
    await first.bot.worker.drain();
    const inFlight = first.bot.dispatcher.runOnce(); // claims the reply, and its send hangs
    await vi.waitFor(() => expect(hanging.send).toHaveBeenCalled()); // claimed: the send has begun
    const second = await bot({ dir, env });
    const claimed = first.clock.now();
    const at = (ms: number) => {
      second.clock.set(claimed + ms);
      return second.bot.dispatcher.flush();
    };
    const leaseEnds = claimed + 60_000;
    expect(await second.column('SELECT lease_until FROM outbox')).toEqual([leaseEnds]);

    await at(OWNER_STALE_MS - 1);
    expect(second.sent).toHaveLength(0); // its holder beat just now
    first.clock.advance(OWNER_STALE_MS - 1);
    await first.bot.services.outbox.beat(); // and beats on
    await at(2 * OWNER_STALE_MS - 2);
    expect(second.sent).toHaveLength(0);
    // then it beats no more, as after a SIGKILL: the reply goes out long before the lease would end
    expect(await second.bot.services.outbox.nextDueAt(['console'])).toBe(first.clock.now() + OWNER_STALE_MS);
    await at(2 * OWNER_STALE_MS);
    expect(second.sent.map((m) => renderPlain(m.reply))).toEqual([expect.stringContaining('我是谁')]);
    expect(second.clock.now()).toBeLessThan(leaseEnds - 40_000);

    // the first process's send failing late changes nothing of what the second delivered
    kill();
    await inFlight;
    expect(await second.column("SELECT status || ':' || attempts FROM outbox")).toEqual(['sent:2']);
    await first.close();
  });

  it('keeps where to answer for the first attempt only, and a sign-in link until it is delivered', async () => {
    const t = await bot();
    const link = await t.say('管理后台');
    expect(link).toContain('/console/login?token=');
    const session = 'https://oapi.dingtalk.com/robot/sendBySession?session=s1';
    const msg = consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, t.clock.now());
    msg.replyContext = { sessionWebhook: session };
    await t.bot.receive(msg);
    await t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(t.sent.at(-1)!.target).toMatchObject({ context: { sessionWebhook: session } }); // the sender had it
    const kept = (await t.column('SELECT payload FROM inbox UNION ALL SELECT target || payload FROM outbox')).join('\n');
    expect(kept).not.toContain('sendBySession');
    expect(kept).not.toContain('token=');
    expect(kept).toContain('我是谁'); // the rest stays
  });

  it('deletes sent messages after OUTBOX_RETENTION_DAYS, keeping failed ones', async () => {
    const refusing: Sender = {
      async send(m) {
        if (renderPlain(m.reply).startsWith('【我是谁】')) throw new SendError('bot not in chat', { permanent: true });
      },
    };
    const t = await bot({ senders: { console: refusing }, env: { OUTBOX_RETENTION_DAYS: '30' } });
    await t.say('我是谁'); // refused for good
    await t.say('帮助'); // sent
    t.clock.advance(30 * 86_400_000);
    expect(await t.bot.services.outbox.purge(30 * 86_400_000)).toBe(0); // thirty days old: still kept
    t.clock.advance(1);
    await t.bot.start(); // purges at start, and hourly after
    expect(await t.column('SELECT status FROM outbox')).toEqual(['failed']);
  });
});
