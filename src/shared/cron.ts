/**
 * Cron expressions of scheduled reports: five numeric fields (minute, hour, day of month, month,
 * day of week), each `*` or a comma list of values and ranges with an optional `/step`. The
 * request's schema checks the characters (400); `cronProblem` checks each field against its range
 * (422 from the command, a rule the OpenAPI document cannot state), so a bad expression is refused
 * when saved, not by Temporal later, as is one that would never run (a day no month of it has).
 * The minute is one number: a report goes out at most once an hour, so a definition cannot turn
 * the mailer into a flood.
 */
import Joi from 'joi';

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

const ITEM = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;
/** The most days each month has (February's leap day included), January first. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a well-formed field names: `*`, values and ranges, each with its step (`5/10` runs to the field's end). */
function valuesOf(text: string, field: (typeof FIELDS)[number]): number[] {
  return text.split(',').flatMap((item) => {
    const [, whole, first, last, step] = ITEM.exec(item)!;
    const star = whole === '*';
    const from = star ? field.min : Number(first);
    const to = star || (step !== undefined && last === undefined) ? field.max : Number(last ?? first);
    return Array.from({ length: Math.floor((to - from) / Number(step ?? 1)) + 1 }, (_, i) => from + i * Number(step ?? 1));
  });
}

/** Why the expression is refused, or undefined when it is well-formed. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) return 'must have 5 fields: minute hour day-of-month month day-of-week';
  if (!/^\d{1,2}$/.test(parts[0])) return 'the minute must be one number (a report goes out at most once an hour)';
  for (const [index, field] of FIELDS.entries()) {
    for (const item of parts[index].split(',')) {
      const match = ITEM.exec(item);
      if (!match) return `${field.name}: "${item}" is not a value, range or step`;
      const [, , first, last, step] = match;
      const values = [first, last].filter((v) => v !== undefined).map(Number);
      if (values.some((v) => v < field.min || v > field.max)) return `${field.name} must be within ${field.min}-${field.max}`;
      if (values.length === 2 && values[0] > values[1]) return `${field.name}: a range must go upwards`;
      if (step !== undefined && Number(step) === 0) return `${field.name}: a step must be at least 1`;
    }
  }
  // Temporal matches the day of month and of week both (not either), and every date falls on each
  // weekday in some year: the expression runs unless its months lack its days (30 February).
  const days = valuesOf(parts[2], FIELDS[2]);
  if (!valuesOf(parts[3], FIELDS[3]).some((month) => days.some((day) => day <= DAYS_IN_MONTH[month - 1])))
    return 'day of month: no month of the expression has such a day (it would never run)';
  return undefined;
}

export const cronExpression = Joi.string()
  .trim()
  .max(100)
  .pattern(/^[0-9*,/ -]+$/, 'cron expression')
  .description(
    'Cron expression in the tenant’s time zone: minute (one number) hour day-of-month month day-of-week, e.g. "0 7 * * 1" for Mondays at 07:00; values out of range are 422',
  );
