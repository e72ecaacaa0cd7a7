import { atMostInFlight } from '../../src/activities/at-most-in-flight';

/** The rollout's batch starts its runs and the reminder sends its e-mails through this bound. */
describe('atMostInFlight', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps the limit busy without exceeding it, and a slow call holds up only its own lane', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await atMostInFlight([200, 10, 10, 10, 10, 10, 10, 10], 3, async (ms) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await pause(ms);
      done.push(ms);
      inFlight -= 1;
    });
    expect(most).toBe(3);
    expect(done).toHaveLength(8);
    // The seven short calls finished on the two other lanes while the long one ran.
    expect(done.at(-1)).toBe(200);
  });

  it('takes no new item after a failure and throws it once the calls in flight ended', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = atMostInFlight([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      await pause(item === 2 ? 30 : 5);
      if (item === 1) throw new Error('refused');
      finished.push(item);
    });
    await expect(run).rejects.toThrow('refused');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await atMostInFlight([], 5, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });
});
