// 单位同步 asked for while the departments just read are being recorded: the asker must hear back.
// Recording a read and adding an asker to the read under way take the same lock; without it, on
// PostgreSQL the asker's update waits for the recording to commit, still matches the row, and joins
// a proposal already sent.
import { afterEach, expect, it } from 'vitest';
import { systemActor } from '../../src/services/actor';
import { ENV } from '../fixtures/lark-bot';
import { makeBot, type TestBot } from '../helpers';
import { race } from './races';

let t: TestBot;
afterEach(() => t.close());

it('sends the proposal to whoever asks while a read is being recorded: their request is a read of its own', async () => {
  t = await makeBot({ env: ENV });
  // the snapshots are read by hand here, not from Feishu
  await t.bot.departments.stop();
  const s = t.bot.services;
  const { first, second, id } = await t.bot.db.tx(async () => {
    for (const [userId, name] of [['ou_admin', '赵主任'], ['ou_admin2', '钱主任']] as const) await s.people.grant({ platform: 'lark', userId }, name, 'admin', null, systemActor('test'));
    const first = await s.people.actorFor({ platform: 'lark', userId: 'ou_admin' }, undefined, null);
    const second = await s.people.actorFor({ platform: 'lark', userId: 'ou_admin2' }, undefined, null);
    await s.orgSync.overview(first, true);
    return { first, second, id: (await s.orgSync.due())! };
  });

  const [, asked] = await race(
    t,
    () => s.orgSync.read(id, { departments: [{ id: 'od-zj', name: '县住建局', parentId: '0' }] }),
    () => t.bot.db.tx(() => s.orgSync.overview(second, true)),
  );
  expect(asked).not.toBeInstanceOf(Error);
  // requested_by is JSON text
  expect(await t.rows('SELECT id, status, requested_by FROM org_snapshots ORDER BY id')).toEqual([
    { id, status: 'read', requested_by: JSON.stringify([first.personId]) },
    { id: id + 1, status: 'reading', requested_by: JSON.stringify([second.personId]) },
  ]);
});
