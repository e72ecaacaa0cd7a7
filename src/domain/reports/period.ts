/**
 * The period a business report covers: whole UTC days from `from` to `to`, both included, so the
 * queries take [from 00:00, the day after `to` 00:00). Bounded, so no request scans years of rows.
 */
import { unprocessable } from '../../shared/errors';
import { DAY_MS, utcDay } from '../../shared/time';

/** The longest period a report covers: a little over a year, enough for year-on-month figures. */
export const MAX_PERIOD_DAYS = 366;
/** Without `from` and `to`, the last 30 days up to today. */
const DEFAULT_PERIOD_DAYS = 30;

export interface Period {
  /** First instant of the period. */
  from: Date;
  /** First instant after it. */
  until: Date;
}

const startOfUtcDay = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));

const EARLIEST_DAY = Date.UTC(2000, 0, 1);
const LATEST_DAY = Date.UTC(2999, 11, 31);

/**
 * Well-formed dates that make no period are 422 (unprocessable), not 400: the request's format
 * is right, its meaning is not.
 */
export function periodOf(query: { from?: Date; to?: Date }, now = new Date()): Period {
  for (const field of ['from', 'to'] as const) {
    const day = query[field]?.getTime();
    if (day !== undefined && !(day >= EARLIEST_DAY && day <= LATEST_DAY)) {
      throw unprocessable(`${field} must be a day in the years 2000 to 2999`, [{ field, message: 'must be in the years 2000 to 2999' }]);
    }
  }
  const to = startOfUtcDay(query.to ?? now);
  const from = startOfUtcDay(query.from ?? new Date(to.getTime() - (DEFAULT_PERIOD_DAYS - 1) * DAY_MS));
  if (from > to) throw unprocessable('from must not be after to', [{ field: 'from', message: 'must not be after to' }]);
  const until = new Date(to.getTime() + DAY_MS);
  if (until.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw unprocessable(`A report covers at most ${MAX_PERIOD_DAYS} days`, [
      { field: 'to', message: `at most ${MAX_PERIOD_DAYS} days after from` },
    ]);
  }
  return { from, until };
}

/** The period as the report echoes it: the days asked for, `to` included. */
export const periodView = (period: Period) => ({
  from: utcDay(period.from),
  to: utcDay(period.until.getTime() - DAY_MS),
});
