import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendError, type Outgoing, type Sender } from '../../src/lib/delivery';
import { consoleMessage } from '../../src/platforms/console/receiver';
import { renderPlain } from '../../src/platforms/console/render';
import { OWNER_STALE_MS } from '../../src/services/outbox';
import { makeBot, tempDir, type TestBot } from '../helpers';

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

const scalar = (t: TestBot, sql: string) => t.bot.db.$client.prepare(sql).pluck().get();

describe('inbox', () => {
  it('processes an event delivered three times once, with one reply', async () => {
    const t = await bot();
    const msg = consoleMessage('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室', { platform: 'console', userId: 'admin' }, t.clock.now());
    expect([t.bot.receive(msg), t.bot.receive(msg), t.bot.receive({ ...msg })]).toEqual([true, false, false]);
    t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(t.bot.receive(msg)).toBe(false); // after processing too
    t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(scalar(t, 'SELECT count(*) FROM documents')).toBe(1);
    expect(t.sent).toHaveLength(1);
  });

  it('treats the same message id under a new event id as a redelivery', async () => {
    const t = await bot();
    const msg = { ...consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()), messageId: 'om_1' };
    expect(t.bot.receive(msg)).toBe(true);
    expect(t.bot.receive({ ...msg, eventId: 'another-event' })).toBe(false);
  });

  it('keeps a message whose handler crashed and carries it out on a later try', async () => {
    const t = await bot();
    const spy = vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    t.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()));
    expect(t.bot.worker.drain()).toBe(1);
    expect(scalar(t, "SELECT status || ':' || attempts FROM inbox")).toBe('pending:1');
    expect(scalar(t, 'SELECT count(*) FROM outbox')).toBe(0); // nothing half-done: no reply, no number used
    expect(t.bot.worker.drain()).toBe(0); // backing off
    t.clock.advance(60_000);
    expect(t.bot.worker.drain()).toBe(1);
    await t.bot.dispatcher.flush();
    expect(renderPlain(t.sent[0]!.reply)).toContain('SW-2026-0001');
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('commits the rows of a batch around one whose handler crashed, which alone is retried', async () => {
    const t = await bot();
    const register = t.bot.services.documents.registerIncoming.bind(t.bot.services.documents);
    const start = t.clock.now();
    // 乙 fails on its first try only
    vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementation((input, actor) => {
      if (input.title === '乙' && t.clock.now() < start + 60_000) throw new Error('disk I/O error');
      return register(input, actor);
    });
    for (const title of ['甲', '乙', '丙']) t.bot.receive(consoleMessage(`收文登记 标题=${title} 来文单位=市政府办公室`, { platform: 'console', userId: 'admin' }, t.clock.now()));
    expect(t.bot.worker.drain()).toBe(3);
    const rows = () => t.bot.db.$client.prepare("SELECT title || ':' || reg_no FROM documents ORDER BY id").pluck().all();
    expect(rows()).toEqual(['甲:SW-2026-0001', '丙:SW-2026-0002']);
    expect(t.bot.db.$client.prepare("SELECT status || ':' || attempts FROM inbox ORDER BY id").pluck().all()).toEqual(['done:0', 'pending:1', 'done:0']);
    expect(scalar(t, 'SELECT count(*) FROM outbox')).toBe(2);
    t.clock.advance(60_000);
    expect(t.bot.worker.drain()).toBe(1);
    expect(rows()).toEqual(['甲:SW-2026-0001', '丙:SW-2026-0002', '乙:SW-2026-0003']);
    expect(scalar(t, 'SELECT count(*) FROM outbox')).toBe(3);
  });

  it('gives up after the retry budget with an apology and the error kept', async () => {
    const t = await bot({ env: { INBOX_MAX_ATTEMPTS: '2' } });
    vi.spyOn(t.bot.services.documents, 'registerIncoming').mockImplementation(() => {
      throw new Error('boom');
    });
    t.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, t.clock.now()));
    t.bot.worker.drain();
    t.clock.advance(600_000);
    t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(scalar(t, 'SELECT status FROM inbox')).toBe('failed');
    expect(scalar(t, 'SELECT last_error FROM inbox')).toContain('boom');
    expect(renderPlain(t.sent[0]!.reply)).toContain('处理您的消息时系统出错');
  });

  it('keeps the background worker alive when a step fails (e.g. the database busy)', async () => {
    const t = await bot();
    const due = t.bot.services.inbox.due.bind(t.bot.services.inbox);
    vi.spyOn(t.bot.services.inbox, 'due').mockImplementationOnce(() => {
      throw new Error('SQLITE_BUSY: database is locked');
    }).mockImplementation(due);
    await t.bot.start();
    t.bot.receive(consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, t.clock.now()));
    await vi.waitFor(() => expect(t.sent).toHaveLength(1), { timeout: 5000, interval: 50 });
  });

  it('is carried out after a restart between acknowledgement and processing', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const first = await makeBot({ dir });
    first.bot.receive(consoleMessage('收文登记 标题=甲 来文单位=乙', { platform: 'console', userId: 'admin' }, first.clock.now()));
    await first.close(); // acknowledged, never processed
    const second = await bot({ dir });
    expect(second.bot.worker.drain()).toBe(1);
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
    expect(scalar(t, "SELECT status || ':' || attempts FROM outbox")).toBe('sent:3');
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
    expect(scalar(t, "SELECT status || ':' || attempts || ':' || last_error FROM outbox")).toBe('failed:3:HTTP 500');
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
    expect(scalar(u, 'SELECT status FROM outbox')).toBe('failed');
    expect(refused.tries).toHaveLength(1);
  });

  it('delivers a conversation’s messages in order, holding later ones behind a failing one', async () => {
    const flaky = flakySender(1);
    const t = await bot({ senders: { console: flaky.sender }, env: { OUTBOX_RETRY_BASE_MS: '1000' } });
    await t.say('我是谁');
    await t.say('帮助');
    expect(flaky.tries.map((m) => m.id)).toEqual([1]); // the second waits for the first
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
    const first = await makeBot({ dir, senders: { console: down.sender } });
    await first.say('我是谁');
    first.bot.db.$client.prepare('UPDATE outbox SET next_attempt_at = 0').run();
    await first.close();

    const second = await bot({ dir });
    await second.bot.dispatcher.flush();
    expect(second.sent.map((m) => m.id)).toEqual([1]);
  });

  it('takes over the claims of a process that stopped beating within seconds, and leaves a live one’s alone', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    let kill = () => {};
    const hanging: Sender = { send: () => new Promise<void>((_, reject) => (kill = () => reject(new Error('process gone')))) };
    const first = await makeBot({ dir, senders: { console: hanging } });
    first.bot.receive(consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, first.clock.now()));
    first.bot.worker.drain();
    const inFlight = first.bot.dispatcher.runOnce(); // claims the reply, and its send hangs
    const second = await bot({ dir });
    const claimed = first.clock.now();
    const at = (ms: number) => {
      second.clock.set(claimed + ms);
      return second.bot.dispatcher.flush();
    };
    const leaseEnds = claimed + 60_000;
    expect(scalar(second, 'SELECT lease_until FROM outbox')).toBe(leaseEnds);

    await at(OWNER_STALE_MS - 1);
    expect(second.sent).toHaveLength(0); // its holder beat just now
    first.clock.advance(OWNER_STALE_MS - 1);
    first.bot.services.outbox.beat(); // and beats on
    await at(2 * OWNER_STALE_MS - 2);
    expect(second.sent).toHaveLength(0);
    // then it beats no more, as after a SIGKILL: the reply goes out long before the lease would end
    expect(second.bot.services.outbox.nextDueAt(['console'])).toBe(first.clock.now() + OWNER_STALE_MS);
    await at(2 * OWNER_STALE_MS);
    expect(second.sent.map((m) => renderPlain(m.reply))).toEqual([expect.stringContaining('我是谁')]);
    expect(second.clock.now()).toBeLessThan(leaseEnds - 40_000);

    // the first process's send failing late changes nothing of what the second delivered
    kill();
    await inFlight;
    expect(scalar(second, "SELECT status || ':' || attempts FROM outbox")).toBe('sent:2');
    await first.close();
  });

  it('keeps where to answer for the first attempt only, and a sign-in link until it is delivered', async () => {
    const t = await bot();
    const link = await t.say('管理后台');
    expect(link).toContain('/console/login?token=');
    const session = 'https://oapi.dingtalk.com/robot/sendBySession?session=s1';
    const msg = consoleMessage('我是谁', { platform: 'console', userId: 'admin' }, t.clock.now());
    msg.replyContext = { sessionWebhook: session };
    t.bot.receive(msg);
    t.bot.worker.drain();
    await t.bot.dispatcher.flush();
    expect(t.sent.at(-1)!.target).toMatchObject({ context: { sessionWebhook: session } }); // the sender had it
    const kept = t.bot.db.$client.prepare('SELECT payload FROM inbox UNION ALL SELECT target || payload FROM outbox').pluck().all().join('\n');
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
    expect(t.bot.services.outbox.purge(30 * 86_400_000)).toBe(0); // thirty days old: still kept
    t.clock.advance(1);
    await t.bot.start(); // purges at start, and hourly after
    expect(scalar(t, 'SELECT group_concat(status) FROM outbox')).toBe('failed');
  });
});
