/**
 * Holidays read from an iCalendar file (RFC 5545), as public holiday feeds publish them: every
 * all-day VEVENT is a holiday on each date it covers. Events with a time of day are not holidays
 * and recurring ones would need expanding without end, and a date the file writes may name no day
 * (20270230): all are skipped and counted, not guessed.
 */
import type IcalModule from 'ical.js' with { 'resolution-mode': 'import' };
import { DateTime } from 'luxon';
import { badRequest } from '../../shared/errors';
import { isCalendarDay } from '../../shared/calendar-day';
import { asOneLine } from '../../shared/one-line-text';
import { CALENDAR_LIMITS, type Holiday } from '../../shared/business-calendar';

export interface IcsHolidays {
  holidays: Holiday[];
  /** VEVENTs left out: with a time of day, recurring, or dated on no day. */
  skipped: number;
}

// ical.js 2 is an ES module with a CommonJS build (its "require" export), which loads synchronously.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof IcalModule;

/** The most days one all-day event may cover: a feed's "holiday" longer than a month is a mistake. */
const MAX_EVENT_DAYS = 31;

export function holidaysFromIcs(text: string): IcsHolidays {
  if (Buffer.byteLength(text, 'utf8') > CALENDAR_LIMITS.icsBytes) {
    throw badRequest(`The iCalendar file must be at most ${CALENDAR_LIMITS.icsBytes} bytes`, [{ field: 'body.ics', message: 'too large' }]);
  }
  let events;
  try {
    events = new ICAL.Component(ICAL.parse(text) as unknown[]).getAllSubcomponents('vevent');
  } catch {
    throw badRequest('The file is not an iCalendar file', [{ field: 'body.ics', message: 'could not be parsed as iCalendar' }]);
  }
  const holidays: Holiday[] = [];
  let skipped = 0;
  for (const component of events) {
    const event = new ICAL.Event(component);
    // ical.js leaves startDate unset (or throws) for a VEVENT without DTSTART.
    const start = readSafely(() => event.startDate);
    if (!start?.isDate || readSafely(() => event.isRecurring()) !== false || !writtenDaysExist(component)) {
      skipped++;
      continue;
    }
    const first = DateTime.fromObject({ year: start.year, month: start.month, day: start.day }, { zone: 'UTC' });
    const end = readSafely(() => event.endDate);
    // DTEND of an all-day event is exclusive; without one the event is that one day.
    const last = end?.isDate
      ? DateTime.fromObject({ year: end.year, month: end.month, day: end.day }, { zone: 'UTC' }).minus({ days: 1 })
      : first;
    if (!first.isValid || !last.isValid) {
      skipped++;
      continue;
    }
    // A summary may hold escaped line breaks and control characters; a holiday's name is one line.
    const name = (asOneLine(String(readSafely(() => event.summary) ?? '')) || 'Holiday').slice(0, 100);
    for (let day = first, count = 0; day <= last && count < MAX_EVENT_DAYS; day = day.plus({ days: 1 }), count++) {
      holidays.push({ date: day.toISODate() ?? '', name });
      if (holidays.length > CALENDAR_LIMITS.holidays) {
        throw badRequest(`A calendar holds at most ${CALENDAR_LIMITS.holidays} holidays`, [
          { field: 'body.ics', message: 'too many holidays' },
        ]);
      }
    }
  }
  return { holidays, skipped };
}

/**
 * Whether the event's DTSTART and DTEND, as the file writes them, name days of the calendar:
 * ical.js rolls 2027-02-30 over to 2 March, which would keep the holiday on another day.
 */
function writtenDaysExist(component: IcalModule.Component): boolean {
  return ['dtstart', 'dtend'].every((name) => {
    const [, , type, written] = (component.getFirstProperty(name)?.jCal ?? []) as unknown[];
    return type !== 'date' || (typeof written === 'string' && isCalendarDay(written));
  });
}

function readSafely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
