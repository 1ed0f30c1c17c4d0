// A NUL character in what the bot is sent: PostgreSQL can keep it neither in a text column nor in
// jsonb, so it is dropped where it comes in (src/lib/without-nul.ts), and the message is handled
// as typed without it, on either database.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCsv } from '../../src/jobs/proposal-import';
import { consoleMessage } from '../../src/platforms/console/receiver';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a NUL character in a message', () => {
  it('is dropped where the message comes in: the command is carried out, its rows done and sent', async () => {
    t = await makeBot();
    const msg = consoleMessage('收文登记 标题=关于做好\u0000防汛工作的通知 来文单位=市应急\u0000管理局', { platform: 'console', userId: 'admin' }, t.clock.now());
    msg.sender.name = '值班\u0000员';
    expect(await t.bot.receive(msg)).toBe(true);
    expect(await t.bot.worker.drain()).toBe(1);
    await t.bot.dispatcher.flush();
    expect(await t.rows('SELECT title, source_unit FROM documents')).toEqual([{ title: '关于做好防汛工作的通知', source_unit: '市应急管理局' }]);
    expect(await t.column('SELECT status FROM inbox')).toEqual(['done']);
    expect(await t.column('SELECT status FROM outbox')).toEqual(['sent']);
    expect(t.sent.map((m) => JSON.stringify(m.reply))).toEqual([expect.stringContaining('关于做好防汛工作的通知')]);
  });
});

describe('a NUL character in an imported file', () => {
  it('is dropped as the file is read, in UTF-8 and in GBK', () => {
    expect(decodeCsv(Buffer.from('编号,标题\n1,关于\u0000道路的建议\n'))).toBe('编号,标题\n1,关于道路的建议\n');
    expect(decodeCsv(Buffer.from([0xb1, 0xea, 0x00, 0xcc, 0xe2]))).toBe('标题');
  });
});
