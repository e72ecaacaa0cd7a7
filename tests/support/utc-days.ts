/**
 * The UTC day, as the API, the runs and the books count it (src/shared/time.ts), for tests that send
 * it to the API or expect it back. A test that takes today's date and then has the API act on "today"
 * straddles two days when UTC midnight passes in between: the API rightly counts the new day (a raise
 * of cover dated the day before is refused, a policy issued then is dated the new day), and the test,
 * which checks what one day gives, fails. `utcDayLasting` hands such a test a day that lasts long
 * enough for its steps: in the last minute of a day it waits for the next one first.
 */
import { DAY_MS, utcDay } from '../../src/shared/time';

/** What the steps that must share one day take at most on a loaded machine; well within jest's timeout (120 s) with the wait. */
const SAME_DAY_MS = 60_000;

/** Today's UTC day, 'YYYY-MM-DD', once at least `forMs` of it are left: else the next day, after waiting for its midnight. */
export async function utcDayLasting(forMs = SAME_DAY_MS): Promise<string> {
  // A timer may fire a little before the wall clock reaches midnight: look again until the day has enough left.
  for (let left = DAY_MS - (Date.now() % DAY_MS); left < forMs; left = DAY_MS - (Date.now() % DAY_MS)) {
    await new Promise((resolve) => setTimeout(resolve, left));
  }
  return utcDay(Date.now());
}
