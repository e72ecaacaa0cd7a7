/**
 * Runs `each` over the items with at most `limit` in flight: enough to keep a server busy without
 * flooding it. Each lane takes the next item as soon as its last one is done, so one slow call
 * holds up only its own lane (a chunk of `limit` waited for its slowest). After a failure no lane
 * takes another item, and the first failure is thrown once the calls in flight have ended.
 */
export async function atMostInFlight<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  async function lane(): Promise<void> {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await each(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  }
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failure = lanes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}
