/**
 * Due instants in business time (docs/calendars.md): one pure function from a start instant, an
 * amount, its unit and a business calendar to the instant a deadline falls due. Runs in the API
 * and in activities only: it reads the runtime's time-zone data, which changes with a Node
 * upgrade, so a workflow asks an activity for the instant and sleeps until it.
 */
import { DateTime } from 'luxon';
import { minutesOfDay, type BusinessCalendarRules, type DeadlineUnit } from '../../shared/business-calendar';
import { DAY_MS, HOUR_MS, utcDay } from '../../shared/time';

export interface DueInstantInput {
  start: Date;
  /** Whole units; 0 is the start itself (rolled to the next working time for a business unit). */
  amount: number;
  unit: DeadlineUnit;
  calendar: BusinessCalendarRules;
}

/** The largest amount counted: ten years of days. Settings stop far below; this bounds the loops. */
export const MAX_DUE_AMOUNT = 3660;

/** How many days ahead working time is looked for before a calendar is declared to have none. */
const SEARCH_DAYS = 4 * 366;

/** The instant a deadline of `amount` `unit`s from `start` falls due under `calendar`. */
export function dueInstant({ start, amount, unit, calendar }: DueInstantInput): Date {
  if (!Number.isInteger(amount) || amount < 0 || amount > MAX_DUE_AMOUNT) {
    throw new RangeError(`amount must be a whole number from 0 to ${MAX_DUE_AMOUNT}: ${amount}`);
  }
  if (Number.isNaN(start.getTime())) throw new RangeError('start is not a valid instant');
  const days = new WorkingDays(calendar);
  switch (unit) {
    case 'calendar_hours':
      return new Date(start.getTime() + amount * HOUR_MS);
    case 'calendar_days':
      // Wall-clock days in the calendar's zone: 16:00 stays 16:00 across a daylight-saving change.
      return DateTime.fromJSDate(start, { zone: days.zone }).plus({ days: amount }).toJSDate();
    case 'business_hours':
      return new Date(days.addWorkingTime(start.getTime(), amount * HOUR_MS));
    case 'business_days':
      return new Date(days.addWorkingDays(start.getTime(), amount));
  }
}

/**
 * The instant `count` working days before `instant`, at its local time of day (moved to the next
 * working time if that time is not working time that day): a reminder "3 business days before
 * the due date".
 */
export function workingDaysBefore(instant: Date, count: number, calendar: BusinessCalendarRules): Date {
  if (!Number.isInteger(count) || count < 0 || count > MAX_DUE_AMOUNT) {
    throw new RangeError(`count must be a whole number from 0 to ${MAX_DUE_AMOUNT}: ${count}`);
  }
  return new Date(new WorkingDays(calendar).subtractWorkingDays(instant.getTime(), count));
}

/**
 * The first local date ("yyyy-MM-dd") of a stretch of more than four years (SEARCH_DAYS) without
 * working time, or null: the arithmetic above gives up on such a stretch, so a calendar that has
 * one anywhere is refused when it is saved (docs/calendars.md) rather than failing every deadline
 * counted across it.
 */
export function stretchWithoutWorkingTime(calendar: BusinessCalendarRules): string | null {
  return new WorkingDays(calendar).longIdleStretch();
}

/** A span of working time, [start, end) in epoch milliseconds. */
interface Span {
  start: number;
  end: number;
}

/** A calendar read for arithmetic: its zone checked, its hours in minutes, its holidays a set. */
class WorkingDays {
  readonly zone: string;
  private readonly weekdays: Set<number>;
  private readonly holidays: Set<string>;
  private readonly hours: Array<{ start: number; end: number }>;

  constructor(calendar: BusinessCalendarRules) {
    if (!DateTime.now().setZone(calendar.zone).isValid) throw new RangeError(`unknown time zone: ${calendar.zone}`);
    this.zone = calendar.zone;
    this.weekdays = new Set(calendar.workingDays);
    this.holidays = new Set(calendar.holidays);
    this.hours = calendar.workingHours
      .map((h) => ({ start: minutesOfDay(h.start), end: minutesOfDay(h.end) }))
      .sort((a, b) => a.start - b.start);
  }

  /** The working spans of one local date, in order; none on a weekend day or a holiday. */
  spansOf(day: DateTime): Span[] {
    if (!this.weekdays.has(day.weekday) || this.holidays.has(day.toISODate() ?? '')) return [];
    const midnight = day.startOf('day');
    const at = (minutes: number): number => {
      // startOf again: where midnight does not exist (America/Santiago), the day starts at 01:00.
      if (minutes === 24 * 60) return midnight.plus({ days: 1 }).startOf('day').toMillis();
      const time = midnight.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
      // A local time daylight saving skips: luxon moves it past the gap; the span starts or
      // ends where the gap ends, so 02:00-02:30 on the night clocks jump 02:00 to 03:00 is empty.
      return time.hour * 60 + time.minute === minutes ? time.toMillis() : endOfGapBefore(time);
    };
    // A span wholly inside a skipped daylight-saving hour is empty on that day.
    return this.hours.map((h) => ({ start: at(h.start), end: at(h.end) })).filter((s) => s.start < s.end);
  }

  /**
   * Where more than SEARCH_DAYS days in a row have no working time, or null. Every listed weekday
   * has working hours (empty only where daylight saving skips them), so only holidays make a long
   * stretch: each is widened to the working days either side, and the years between are not read.
   * Local dates are counted as UTC days (plain date arithmetic); only a listed weekday that is no
   * holiday has its spans worked out in the zone.
   */
  longIdleStretch(): string | null {
    const idle = (day: number): boolean => {
      const date = new Date(day);
      if (!this.weekdays.has(date.getUTCDay() || 7) || this.holidays.has(utcDay(day))) return true;
      const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
      return this.spansOf(DateTime.fromObject(local, { zone: this.zone })).length === 0;
    };
    let readTo = -Infinity;
    for (const holiday of [...this.holidays].sort().map((date) => Date.parse(`${date}T00:00:00Z`))) {
      if (holiday < readTo) continue; // inside the stretch read from an earlier holiday
      let start = holiday;
      while (idle(start - DAY_MS)) start -= DAY_MS;
      let end = holiday + DAY_MS;
      for (; idle(end); end += DAY_MS) {
        if ((end - start) / DAY_MS >= SEARCH_DAYS) return utcDay(start);
      }
      readTo = end;
    }
    return null;
  }

  /**
   * `duration` ms of working time after `from`. With 0, the first working instant at or after
   * `from`; otherwise the working time ends inside a span or exactly at its close.
   */
  addWorkingTime(from: number, duration: number): number {
    let remaining = duration;
    let day = DateTime.fromMillis(from, { zone: this.zone }).startOf('day');
    // Days in a row without working time: a calendar that has none for years has none at all.
    for (let idleDays = 0; idleDays <= SEARCH_DAYS; day = day.plus({ days: 1 })) {
      const spans = this.spansOf(day);
      idleDays = spans.length > 0 ? 0 : idleDays + 1;
      for (const span of spans) {
        if (span.end <= from) continue;
        const begin = Math.max(from, span.start);
        const available = span.end - begin;
        if (remaining === 0 ? available > 0 : remaining <= available) return begin + remaining;
        remaining -= available;
      }
    }
    throw new RangeError('the calendar has no working time');
  }

  /**
   * `count` working days after `from`, at the same local time of day: `from` is first moved to
   * the next working instant (a claim filed on Saturday counts from Monday's opening), then the
   * days that are working days are counted, then the time is moved to working time again in case
   * daylight saving left it outside (a local time that does not exist that day).
   */
  addWorkingDays(from: number, count: number): number {
    const opening = this.addWorkingTime(from, 0);
    return count === 0 ? opening : this.stepWorkingDays(opening, count, 1);
  }

  /** `count` working days before `from`, at its local time of day (then moved to working time). */
  subtractWorkingDays(from: number, count: number): number {
    return this.stepWorkingDays(from, count, -1);
  }

  /** The `count`th working day after (step 1) or before (step -1) `from`'s local date, at its time of day. */
  private stepWorkingDays(from: number, count: number, step: 1 | -1): number {
    const local = DateTime.fromMillis(from, { zone: this.zone });
    let day = local.startOf('day');
    let counted = 0;
    // Days in a row without working time, as addWorkingTime counts them: a calendar saved without
    // such a stretch (longIdleStretch) never ends here.
    for (let idleDays = 0; counted < count;) {
      day = day.plus({ days: step });
      if (this.spansOf(day).length > 0) {
        counted++;
        idleDays = 0;
      } else if (++idleDays > SEARCH_DAYS) {
        throw new RangeError('the calendar has no working days');
      }
    }
    return this.atTimeOf(day, local);
  }

  /** `day` at the local time of `time`, moved to the next working instant if it is not working time. */
  private atTimeOf(day: DateTime, time: DateTime): number {
    const sameTime = day.set({ hour: time.hour, minute: time.minute, second: time.second, millisecond: time.millisecond });
    return this.addWorkingTime(sameTime.toMillis(), 0);
  }
}

/** The instant the clock jumped forward before `shifted`, a time luxon moved past a daylight-saving gap (at most a few hours, on minute boundaries). */
function endOfGapBefore(shifted: DateTime): number {
  let instant = shifted.toMillis();
  for (let minutes = 0; minutes < 24 * 60; minutes++) {
    if (DateTime.fromMillis(instant - 60_000, { zone: shifted.zone }).offset !== shifted.offset) break;
    instant -= 60_000;
  }
  return instant;
}
