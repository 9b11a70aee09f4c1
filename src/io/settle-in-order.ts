/**
 * Runs `task` over `items` with at most `limit` in flight (file opens: each is several round trips
 * through libuv's thread pool, so one at a time leaves the disk and the pool idle; a session opens
 * hundreds). Waits for every task, then returns the results in item order, or throws the error of the
 * first item that failed (in item order, so the error does not depend on timing), after handing every
 * successful result to `discard` (to close what was opened).
 */
export async function settleInOrder<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>, discard: (r: R) => Promise<unknown> | void = () => {}): Promise<R[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await task(items[i], i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? discard(r.value) : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}
