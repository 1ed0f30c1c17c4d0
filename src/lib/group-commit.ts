// Writes that arrive in the same turn of the event loop share one commit. A webhook must store
// its event before acknowledging it, and a commit of its own for each is most of what storing
// costs (≈50 µs alone, ≈20 µs four to a commit); the wait is at most the rest of the turn.
// Each caller's promise settles once its batch's write has (resolving: committed).
export function groupCommit<T, R>(writeAll: (items: T[]) => R[] | Promise<R[]>): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];

  async function flush(): Promise<void> {
    const batch = waiting;
    waiting = [];
    let results: R[];
    try {
      results = await writeAll(batch.map((w) => w.item));
    } catch (error) {
      batch.forEach((w) => w.reject(error));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      // after the I/O callbacks of this turn, so every request that completed in it joins; items
      // arriving while a batch is being written gather for the next one. flush settles every
      // caller itself and never rejects.
      if (waiting.length === 0) setImmediate(() => void flush());
      waiting.push({ item, resolve, reject });
    });
}
