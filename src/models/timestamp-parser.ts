/**
 * How a `timestamp with time zone` is read from PostgreSQL's text. Sequelize's connections answer
 * in UTC (their session time zone is '+00:00'), so such a value comes as `YYYY-MM-DD HH:MM:SS`,
 * an optional fraction of up to six digits, and `+00`. node-postgres's own parser (postgres-date)
 * matches two regular expressions on every value and keeps their match arrays: for a page of 20
 * claims (two timestamps a row) that was 9 % of the bytes the API allocated for `GET /claims` and
 * 4 % of its time (docs/performance.md, Lists). That one shape is read here digit by digit, with
 * the very arithmetic postgres-date applies to it, so the Date is the same; any other text
 * (another zone, BC, a year before 100 or after 9999, infinity) goes to postgres-date as before.
 */
import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;
/** postgres-date, as node-postgres registers it for the type. */
const standardParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text');
/** `YYYY-MM-DD HH:MM:SS`. */
const SECONDS_END = 19;
/** A fraction's digits are divided by 10 to the power of their number (PostgreSQL writes at most six). */
const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
const ZERO = 48;

/** The number the ASCII digits of `text` from `from` up to `to` write, or -1 when one is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at++) {
    const digit = text.charCodeAt(at) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether `text` has `char` at `at` (the separators of the UTC shape). */
const hasAt = (text: string, at: number, char: string) => text.charCodeAt(at) === char.charCodeAt(0);

/**
 * A timestamptz as node-postgres's parser reads it: a Date, or what postgres-date answers for a
 * text outside the UTC shape (a number for infinity).
 */
export function parseTimestampTz(text: string): unknown {
  const zoneAt = text.length - 3;
  const shaped =
    zoneAt >= SECONDS_END &&
    zoneAt - SECONDS_END !== 1 &&
    zoneAt - SECONDS_END <= POWERS_OF_TEN.length &&
    text.endsWith('+00') &&
    hasAt(text, 4, '-') &&
    hasAt(text, 7, '-') &&
    hasAt(text, 10, ' ') &&
    hasAt(text, 13, ':') &&
    hasAt(text, 16, ':') &&
    (zoneAt === SECONDS_END || hasAt(text, SECONDS_END, '.'));
  if (!shaped) return standardParser(text);
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, SECONDS_END);
  const fraction = zoneAt === SECONDS_END ? 0 : digitsAt(text, SECONDS_END + 1, zoneAt);
  // postgres-date moves a year before 100 out of the 1900s; such dates are left to it.
  if (year < 100 || Math.min(month, day, hour, minute, second, fraction) < 0) return standardParser(text);
  // postgres-date's milliseconds are 1000 × parseFloat('.ddd'): the digits over their power of ten
  // are that same correctly rounded double (an exact integer divided by an exact one).
  const ms = zoneAt === SECONDS_END ? 0 : 1000 * (fraction / POWERS_OF_TEN[zoneAt - SECONDS_END - 1]);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

/** Every pg connection of the process (Sequelize's included) reads timestamptz with `parseTimestampTz`. */
export function useTimestampTzParser(): void {
  pg.types.setTypeParser(TIMESTAMPTZ_OID, parseTimestampTz);
}
