/**
 * The timestamptz parser the API's connections use (src/models/timestamp-parser.ts) reads every
 * text to the same value as node-postgres's own (postgres-date): the UTC shape Sequelize's sessions
 * answer in, digit by digit, and everything else through postgres-date itself.
 */
import pg from 'pg';
import { parseTimestampTz, useTimestampTzParser } from '../../src/models/timestamp-parser';

const TIMESTAMPTZ_OID = 1184;
/** postgres-date, as node-postgres registers it (read before any Sequelize of this file is made). */
const postgresDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text');

/** The same value: equal times for Dates (NaN for an invalid one), else the same thing. */
const sameValue = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? Object.is(a.getTime(), b.getTime()) : Object.is(a, b);

/** A fixed sequence of pseudo-random whole numbers below `n` (a linear congruential generator), so a failure repeats. */
function numbers(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

it('reads 100,000 timestamps, with 0 to 6 digits of fraction, in UTC and in other zones, as postgres-date does', () => {
  const next = numbers(80);
  const zones = ['+00', '+00', '+00', '+00', '-05', '+05:30', '+00:00', '+00 BC', '+01', 'Z'];
  const differing: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const digits = next(7);
    const fraction = digits === 0 ? '' : `.${pad(next(10 ** digits), digits)}`;
    const text = `${pad(next(10_100), 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(31), 2)} ${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction}${zones[i % zones.length]}`;
    if (!sameValue(parseTimestampTz(text), postgresDate(text))) differing.push(text);
  }
  expect(differing).toEqual([]);
});

it.each([
  '2026-11-30 21:43:00+00',
  '2026-11-30 21:43:00.289+00',
  '2026-11-30 21:43:00.999999+00',
  '2026-11-30 21:43:00.1234567+00',
  '2026-11-30 21:43:00.+00',
  '0099-01-01 00:00:00+00',
  '0100-01-01 00:00:00+00',
  '10000-01-01 00:00:00+00',
  '2026-02-30 25:61:61.5+00',
  '2026-1-30 21:43:00+00',
  '2026-11-30T21:43:00+00',
  'x026-11-30 21:43:00+00',
  '2026-11-30',
  'infinity',
  '-infinity',
])('reads %s as postgres-date does', (text) => {
  expect(sameValue(parseTimestampTz(text), postgresDate(text))).toBe(true);
});

it('is the parser of every pg connection once registered', () => {
  useTimestampTzParser();
  expect(pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text')).toBe(parseTimestampTz);
});
