import { afterEach, describe, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot | null = null;
afterEach(async () => {
  await t?.close().catch(() => {});
  t = null;
});

describe('GET /healthz', () => {
  it('answers 200 while the database works and 503 once it does not', async () => {
    t = await makeBot();
    await t.bot.start({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${t.bot.port()}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    // the connection every write needs goes away: SQLite's write connection, PostgreSQL's pool
    if (t.bot.db.sqlite) t.bot.db.sqlite.close();
    else await t.bot.db.pool!.end();
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'database' });
  });
});
