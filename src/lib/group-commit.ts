// Writes that arrive in the same turn of the event loop share one commit. A webhook must store
// its event before acknowledging it, and a commit of its own for each is most of what storing
// costs (≈50 µs alone, ≈20 µs four to a commit); the wait is at most the rest of the turn.
export function groupCommit<T, R>(writeAll: (items: T[]) => R[]): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];

  function flush(): void {
    const batch = waiting;
    waiting = [];
    let results: R[];
    try {
      results = writeAll(batch.map((w) => w.item));
    } catch (error) {
      batch.forEach((w) => w.reject(error));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      // after the I/O callbacks of this turn, so every request that completed in it joins
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ item, resolve, reject });
    });
}
