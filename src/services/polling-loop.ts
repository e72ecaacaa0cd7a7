/**
 * A loop that does a batch of work every `intervalMs` until stopped, at once again while batches
 * come back full (a backlog), and waits out a failure (a database outage only delays it): the
 * outbox's relay to Temporal in the API and its mail sender in the worker.
 */
export interface PollingLoop {
  /** Stops the loop and waits for the batch in hand. */
  stop(): Promise<void>;
}

/** `batch` answers whether more work is likely due (a full batch); `onError` reports a failed one. */
export function startPollingLoop(batch: () => Promise<boolean>, onError: (err: unknown) => void, intervalMs: number): PollingLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    let backlogged = false;
    running = batch()
      .then((more) => {
        backlogged = more;
      })
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, backlogged ? 0 : intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
