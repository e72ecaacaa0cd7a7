/**
 * The day a test shares with the API (tests/support/utc-days.ts): it has the time the test's steps
 * need left, or is the next one, after waiting for its midnight; the clock is jest's fake one.
 */
import { utcDayLasting } from '../support/utc-days';

afterEach(() => jest.useRealTimers());

it('answers today at once while more than the asked time is left of it', async () => {
  jest.useFakeTimers({ now: Date.parse('2026-11-30T23:58:59.000Z') });
  await expect(utcDayLasting(60_000)).resolves.toBe('2026-11-30');
  expect(new Date().toISOString()).toBe('2026-11-30T23:58:59.000Z');
});

it('waits for the next day, across a month and a year, when less is left: the day it answers has begun', async () => {
  for (const [now, next] of [
    ['2026-11-30T23:59:30.000Z', '2026-12-01'],
    ['2026-12-31T23:59:59.999Z', '2027-01-01'],
    ['2028-02-28T23:59:01.000Z', '2028-02-29'],
  ]) {
    jest.useFakeTimers({ now: Date.parse(now) });
    const day = utcDayLasting(60_000);
    await jest.runAllTimersAsync();
    await expect(day).resolves.toBe(next);
    expect(new Date().toISOString()).toBe(`${next}T00:00:00.000Z`);
  }
});
