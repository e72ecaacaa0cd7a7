import { atMostInFlight } from '../../src/activities/at-most-in-flight';

/** The rollout's batch starts its runs and the reminder sends its e-mails through this bound. */
describe('atMostInFlight', () => {
  /** A promise the test settles when it decides: the calls' order follows from the test, not from timers. */
  function gate(): { opened: Promise<void>; open: () => void } {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  }

  it('keeps the limit busy without exceeding it, and a slow call holds up only its own lane', async () => {
    let inFlight = 0;
    let most = 0;
    const done: string[] = [];
    const shorts = ['s1', 's2', 's3', 's4', 's5', 's6', 's7'];
    // The long call ends only once all seven short ones have: with lanes that waited for a whole
    // chunk, the short calls behind it would never start and the test would time out.
    const longCall = gate();
    await atMostInFlight(['long', ...shorts], 3, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await (item === 'long' ? longCall.opened : Promise.resolve());
      done.push(item);
      inFlight -= 1;
      if (shorts.every((name) => done.includes(name))) longCall.open();
    });
    expect(most).toBe(3);
    expect(done).toEqual([...shorts, 'long']);
  });

  it('takes no new item after a failure and throws it once the calls in flight ended', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    // Item 2 is still in flight when item 1 fails, and ends after it.
    const second = gate();
    const run = atMostInFlight([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      if (item === 1) {
        await Promise.resolve();
        second.open();
        throw new Error('refused');
      }
      await second.opened;
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
