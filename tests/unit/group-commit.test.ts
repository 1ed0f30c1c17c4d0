import { expect, it, vi } from 'vitest';
import { groupCommit } from '../../src/lib/group-commit';

it('writes what arrives in one turn of the event loop together, and answers each caller its own result', async () => {
  const batches: string[][] = [];
  const store = groupCommit((items: string[]) => {
    batches.push(items);
    return items.map((i) => i.toUpperCase());
  });
  const first = await Promise.all([store('a'), store('b'), store('c')]);
  const second = await store('d');
  expect(first).toEqual(['A', 'B', 'C']);
  expect(second).toBe('D');
  expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
});

it('fails every caller of a batch whose write failed, and writes the next batch afresh', async () => {
  let fail = true;
  const store = groupCommit((items: number[]) => {
    if (fail) throw new Error('SQLITE_BUSY');
    return items.map((i) => i * 2);
  });
  const settled = await Promise.allSettled([store(1), store(2)]);
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  fail = false;
  expect(await Promise.all([store(3), store(4)])).toEqual([6, 8]);
});

// the bot's writes are asynchronous (a database transaction): a caller is answered once its batch is committed
it('answers the callers of an asynchronous write once it has finished; what arrives meanwhile is written in the next batch', async () => {
  const batches: string[][] = [];
  const commits: (() => void)[] = [];
  const store = groupCommit(async (items: string[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => commits.push(resolve));
    if (items.includes('x')) throw new Error('rolled back');
    return items.map((i) => i.toUpperCase());
  });
  const answered: string[] = [];
  const first = Promise.all([store('a'), store('b')].map((p) => p.then((r) => void answered.push(r))));
  await vi.waitFor(() => expect(commits).toHaveLength(1));
  const later = Promise.allSettled([store('c'), store('x')]);
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(answered).toEqual([]); // nothing is answered before its write has finished
  commits[0]!();
  await first;
  expect(answered).toEqual(['A', 'B']);
  await vi.waitFor(() => expect(commits).toHaveLength(2));
  commits[1]!();
  expect((await later).map((s) => s.status)).toEqual(['rejected', 'rejected']);
  expect(batches).toEqual([['a', 'b'], ['c', 'x']]);
});
