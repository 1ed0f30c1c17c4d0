import { expect, it } from 'vitest';
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
