// When a chat and a person were last seen: written at most every ten minutes (a busy chat would
// otherwise rewrite its row on every message), while a chat's new title is written at once.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('last seen', () => {
  it('keeps a chat’s title as last named, renamed back and forth within minutes, and its time to ten minutes', async () => {
    t = await makeBot();
    const group = (title: string) => ({ type: 'group' as const, id: 'g-1', title });
    const row = () => t!.rows<{ title: string; last_seen_at: number }>("SELECT title, last_seen_at FROM chats WHERE chat_id = 'g-1'");
    // a new title is written with the time it was seen under it
    const renamedBack = t.clock.now() + 2 * 60_000;
    for (const title of ['办公室群', '综合科群', '办公室群']) {
      await t.say('我是谁', 'console:admin', group(title));
      t.clock.advance(60_000);
    }
    expect(await row()).toEqual([{ title: '办公室群', last_seen_at: renamedBack }]);
    // seen again within ten minutes of that: not written
    await t.say('我是谁', 'console:admin', group('办公室群'));
    expect(await row()).toEqual([{ title: '办公室群', last_seen_at: renamedBack }]);
    t.clock.advance(10 * 60_000);
    const later = t.clock.now();
    await t.say('我是谁', 'console:admin', group('办公室群'));
    expect(await row()).toEqual([{ title: '办公室群', last_seen_at: later }]);
  });
});
