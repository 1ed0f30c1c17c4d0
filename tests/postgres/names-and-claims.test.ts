// Checks that read and then write, run by two bot instances on one PostgreSQL database at the
// same moment (READ COMMITTED): a unit's names, a holiday notice's confirmation. The first
// instance's transaction stays open until the second has run as far as it can: through, or
// waiting on a lock; the second must then see the first's work, as it would had it come later.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot';
import { systemActor } from '../../src/services/actor';
import { otherInstance } from '../fixtures/other-instance';
import { makeBot, type TestBot } from '../helpers';
import { race } from './races';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const actor = systemActor('test');

async function twoInstances(now?: string): Promise<{ t: TestBot; other: Bot }> {
  const t = await makeBot({ now });
  cleanups.push(() => t.close());
  return { t, other: await otherInstance(t, cleanups) };
}

/** `second` on the other instance while `first` is uncommitted on t's: its result, or its error's message. */
async function raceOn(t: TestBot, other: Bot, first: (bot: Bot) => Promise<unknown>, second: (bot: Bot) => Promise<unknown>): Promise<unknown> {
  const [, result] = await race(t, () => first(t.bot), () => other.db.tx(() => second(other)));
  return result instanceof Error ? result.message : result;
}

describe('unit names, when two instances write them at the same moment', () => {
  it.each([
    ['of the same name', '县住房和城乡建设局'],
    ['named as the other’s short name', '住建局'],
  ])('refuse a second unit %s', async (_, name) => {
    const { t, other } = await twoInstances();
    const second = await raceOn(
      t,
      other,
      (bot) => bot.services.units.add('县住房和城乡建设局', '住建局', undefined, actor),
      (bot) => bot.services.units.add(name, undefined, undefined, actor),
    );
    expect(second).toBe('单位「县住房和城乡建设局」已存在（名称、简称或别名重复）');
    expect(await t.column('SELECT name FROM units')).toEqual(['县住房和城乡建设局']);
  });

  it('refuse an alias that the other has just made a unit’s name', async () => {
    const { t, other } = await twoInstances();
    await t.bot.db.tx(() => t.bot.services.units.add('县住房和城乡建设局', '住建局', undefined, actor));
    const second = await raceOn(
      t,
      other,
      (bot) => bot.services.units.add('县建设局', undefined, undefined, actor),
      (bot) => bot.services.units.setAliases('住建局', ['县建设局'], actor),
    );
    expect(second).toBe('「县建设局」已是 县建设局 的名称、简称或别名，不能再作 县住房和城乡建设局 的别名');
    expect(await t.scalar('SELECT count(*) FROM unit_aliases')).toBe(0);
  });
});

describe('a holiday notice confirmed on two instances at the same moment', () => {
  it('is made the calendar once; the second is told it was confirmed', async () => {
    const { t, other } = await twoInstances('2026-11-28T10:00:00+08:00');
    const notice = readFileSync(new URL('../fixtures/notices/made-up-2027.txt', import.meta.url), 'utf8');
    const id = Number(/节假日导入确认 (\d+)/.exec(await t.say(`节假日导入\n${notice}`))![1]);
    const second = await raceOn(
      t,
      other,
      (bot) => bot.services.calendarChanges.confirm(id, actor),
      (bot) => bot.services.calendarChanges.confirm(id, actor),
    );
    expect(second).toBe(`2027年节假日安排（导入 ${id}）已确认过，无需再次确认。`);
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '节假日导入'")).toBe(1);
    expect(await t.column('SELECT status FROM calendar_notices')).toEqual(['confirmed']);
  });
});
