/** Due instants in business time (pure; docs/calendars.md, How a due instant is computed). */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { minutesOfDay, type BusinessCalendarRules, type DeadlineUnit } from '../../src/shared/business-calendar';
import { acknowledgementMoments } from '../../src/domain/compliance/acknowledgement-times';
import { dueInstant, stretchWithoutWorkingTime, workingDaysBefore } from '../../src/domain/calendars/business-time';

const officeHours = (zone: string, holidays: string[] = []): BusinessCalendarRules => ({
  zone,
  workingDays: [1, 2, 3, 4, 5],
  workingHours: [{ start: '09:00', end: '17:00' }],
  holidays,
});

/** `local` ("yyyy-MM-ddTHH:mm") in `zone`, as an instant. */
const at = (local: string, zone: string): Date => DateTime.fromISO(local, { zone }).toJSDate();

/** The due instant as the calendar's local time with its offset, which is what a reader checks. */
function due(local: string, amount: number, unit: DeadlineUnit, calendar: BusinessCalendarRules): string {
  const instant = dueInstant({ start: at(local, calendar.zone), amount, unit, calendar });
  return DateTime.fromJSDate(instant, { zone: calendar.zone }).toISO({ suppressMilliseconds: true, suppressSeconds: true }) ?? '';
}

describe('due instants', () => {
  it('issue 43: Thursday 23 Dec 2027 16:00 Berlin plus 3 business days, 24 Dec a holiday, is Wednesday 29 Dec 16:00', () => {
    const berlin = officeHours('Europe/Berlin', ['2027-12-24']);
    expect(due('2027-12-23T16:00', 3, 'business_days', berlin)).toBe('2027-12-29T16:00+01:00');
    // Without the holiday, Friday counts.
    expect(due('2027-12-23T16:00', 3, 'business_days', officeHours('Europe/Berlin'))).toBe('2027-12-28T16:00+01:00');
  });

  it('skips the weekend and counts a Saturday start from Monday morning', () => {
    const utc = officeHours('UTC');
    expect(due('2027-12-17T10:00', 1, 'business_days', utc)).toBe('2027-12-20T10:00Z');
    expect(due('2027-12-18T11:00', 1, 'business_days', utc)).toBe('2027-12-21T09:00Z');
    expect(due('2027-12-18T11:00', 0, 'business_days', utc)).toBe('2027-12-20T09:00Z');
  });

  it('carries business hours over the end of the working day, and a start at closing time counts from the next opening', () => {
    const utc = officeHours('UTC');
    expect(due('2027-12-16T16:00', 2, 'business_hours', utc)).toBe('2027-12-17T10:00Z');
    // Landing exactly on closing time is due at the close, not the next morning.
    expect(due('2027-12-16T15:00', 2, 'business_hours', utc)).toBe('2027-12-16T17:00Z');
    expect(due('2027-12-16T17:00', 1, 'business_days', utc)).toBe('2027-12-20T09:00Z');
    expect(due('2027-12-16T20:00', 0, 'business_hours', utc)).toBe('2027-12-17T09:00Z');
    // Friday 16:00 plus 8 business hours is one hour on Friday and seven on Monday.
    expect(due('2027-12-17T16:00', 8, 'business_hours', utc)).toBe('2027-12-20T16:00Z');
  });

  it('counts only the spans of a split working day', () => {
    const lunch: BusinessCalendarRules = {
      ...officeHours('UTC'),
      workingHours: [
        { start: '13:00', end: '17:00' },
        { start: '09:00', end: '12:00' },
      ],
    };
    expect(due('2027-12-16T11:00', 2, 'business_hours', lunch)).toBe('2027-12-16T14:00Z');
    expect(due('2027-12-16T12:30', 1, 'business_days', lunch)).toBe('2027-12-17T13:00Z');
  });

  it('keeps the local time across the spring daylight-saving change in Europe/Berlin', () => {
    const berlin = officeHours('Europe/Berlin');
    // Clocks go 02:00 → 03:00 on Sunday 28 March 2027.
    expect(due('2027-03-26T10:00', 1, 'business_days', berlin)).toBe('2027-03-29T10:00+02:00');
    expect(due('2027-03-26T16:00', 2, 'business_hours', berlin)).toBe('2027-03-29T10:00+02:00');
    expect(due('2027-03-27T12:00', 1, 'calendar_days', berlin)).toBe('2027-03-28T12:00+02:00');
    expect(due('2027-03-27T12:00', 24, 'calendar_hours', berlin)).toBe('2027-03-28T13:00+02:00');
    // A calendar working round the clock has 23 working hours that Sunday.
    const always: BusinessCalendarRules = {
      ...berlin,
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      workingHours: [{ start: '00:00', end: '24:00' }],
    };
    expect(due('2027-03-28T00:00', 23, 'business_hours', always)).toBe('2027-03-29T00:00+02:00');
    // Hours inside the skipped hour do not exist that day.
    const night: BusinessCalendarRules = { ...always, workingHours: [{ start: '02:00', end: '02:30' }] };
    expect(due('2027-03-27T02:10', 1, 'business_days', night)).toBe('2027-03-29T02:10+02:00');
  });

  it('keeps the local time across the autumn daylight-saving change in America/New_York', () => {
    const newYork = officeHours('America/New_York');
    // Clocks go 02:00 → 01:00 on Sunday 7 November 2027.
    expect(due('2027-11-05T10:00', 1, 'business_days', newYork)).toBe('2027-11-08T10:00-05:00');
    expect(due('2027-11-06T12:00', 1, 'calendar_days', newYork)).toBe('2027-11-07T12:00-05:00');
    expect(due('2027-11-06T12:00', 24, 'calendar_hours', newYork)).toBe('2027-11-07T11:00-05:00');
    const always: BusinessCalendarRules = {
      ...newYork,
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      workingHours: [{ start: '00:00', end: '24:00' }],
    };
    expect(due('2027-11-07T00:00', 25, 'business_hours', always)).toBe('2027-11-08T00:00-05:00');
    // And forward on Sunday 14 March 2027.
    expect(due('2027-03-12T09:30', 1, 'business_days', newYork)).toBe('2027-03-15T09:30-04:00');
  });

  it('counts the leap day as a working day, or skips it as a holiday', () => {
    expect(due('2028-02-28T10:00', 1, 'business_days', officeHours('UTC'))).toBe('2028-02-29T10:00Z');
    expect(due('2028-02-28T10:00', 1, 'business_days', officeHours('UTC', ['2028-02-29']))).toBe('2028-03-01T10:00Z');
    expect(due('2028-02-28T10:00', 2, 'calendar_days', officeHours('UTC'))).toBe('2028-03-01T10:00Z');
  });

  it('counts working days back for a reminder before a due date, over a weekend and a holiday', () => {
    const berlin = officeHours('Europe/Berlin', ['2027-12-24']);
    const local = (instant: Date) => DateTime.fromJSDate(instant, { zone: 'Europe/Berlin' }).toISO({ suppressMilliseconds: true }) ?? '';
    // Wednesday 29 December 16:00, 3 working days before: Tuesday, Monday, (Friday 24 a holiday) Thursday 23.
    expect(local(workingDaysBefore(at('2027-12-29T16:00', 'Europe/Berlin'), 3, berlin))).toBe('2027-12-23T16:00:00+01:00');
    expect(local(workingDaysBefore(at('2027-12-29T16:00', 'Europe/Berlin'), 0, berlin))).toBe('2027-12-29T16:00:00+01:00');
  });

  it('escalates an acknowledgement due on a Saturday at Monday’s opening in business days, at the instant in calendar days', () => {
    const berlin = officeHours('Europe/Berlin');
    const saturdayNoon = at('2028-01-08T12:00', 'Europe/Berlin');
    const days = { reminderDaysBefore: 3, graceDays: 3 };
    expect(acknowledgementMoments(saturdayNoon, days, { deadline: 'calendar_days', escalation: 'business_days' }, berlin)).toEqual({
      reminder: at('2028-01-05T12:00', 'Europe/Berlin'),
      managerAlert: at('2028-01-10T09:00', 'Europe/Berlin'),
      complianceAlert: at('2028-01-13T09:00', 'Europe/Berlin'),
    });
    expect(acknowledgementMoments(saturdayNoon, days, { deadline: 'calendar_days', escalation: 'calendar_days' }, berlin)).toEqual({
      reminder: at('2028-01-05T12:00', 'Europe/Berlin'),
      managerAlert: saturdayNoon,
      complianceAlert: at('2028-01-11T12:00', 'Europe/Berlin'),
    });
  });

  it('refuses an amount it cannot count, an unknown zone and a calendar without working time', () => {
    const start = new Date('2027-12-16T10:00:00Z');
    expect(() => dueInstant({ start, amount: -1, unit: 'business_days', calendar: officeHours('UTC') })).toThrow(RangeError);
    expect(() => dueInstant({ start, amount: 1.5, unit: 'business_hours', calendar: officeHours('UTC') })).toThrow(RangeError);
    expect(() => dueInstant({ start, amount: 1, unit: 'business_days', calendar: officeHours('Mars/Olympus') })).toThrow(RangeError);
    expect(() => dueInstant({ start, amount: 1, unit: 'business_days', calendar: { ...officeHours('UTC'), workingDays: [] } })).toThrow(
      RangeError,
    );
  });

  it('finds a calendar without working time for more than four years exactly where the arithmetic gives up on it', () => {
    // Saturdays only, and `weeks` Saturdays from 2027-01-02 on holidays: no working time from Sunday 2026-12-27.
    const closedSaturdays = (weeks: number, from = Date.UTC(2027, 0, 2)): string[] =>
      Array.from({ length: weeks }, (_, week) => new Date(from + week * 7 * DAY_MS).toISOString().slice(0, 10));
    const saturdays = (holidays: string[]): BusinessCalendarRules => ({ ...officeHours('Europe/Berlin', holidays), workingDays: [6] });
    // 208 closed Saturdays: 1,462 days in a row without working time, within the 4 × 366 days the arithmetic searches.
    const longest = saturdays(closedSaturdays(208));
    expect(stretchWithoutWorkingTime(longest)).toBeNull();
    expect(due('2026-12-27T10:00', 0, 'business_days', longest)).toBe('2030-12-28T09:00+01:00');
    expect(due('2026-12-27T10:00', 8, 'business_hours', longest)).toBe('2030-12-28T17:00+01:00');
    // 209: 1,469 days. Refused when saved, and the arithmetic gives up on it.
    const tooLong = saturdays(closedSaturdays(209));
    expect(stretchWithoutWorkingTime(tooLong)).toBe('2026-12-27');
    const start = at('2026-12-27T10:00', 'Europe/Berlin');
    expect(() => dueInstant({ start, amount: 0, unit: 'business_days', calendar: tooLong })).toThrow('no working time');
    // Two stretches of 1,406 and 1,400 days with one working Saturday (2030-11-02) between them: accepted, and
    // working days are counted across both, forwards and back.
    const twoStretches = saturdays([...closedSaturdays(200), ...closedSaturdays(200, Date.UTC(2027, 0, 2) + 201 * 7 * DAY_MS)]);
    expect(stretchWithoutWorkingTime(twoStretches)).toBeNull();
    expect(due('2026-12-26T10:00', 2, 'business_days', twoStretches)).toBe('2034-09-09T10:00+02:00');
    expect(workingDaysBefore(at('2034-09-09T10:00', 'Europe/Berlin'), 2, twoStretches)).toEqual(at('2026-12-26T10:00', 'Europe/Berlin'));
  });
});

// ---- Properties -------------------------------------------------------------------------------

/** How many cases each property runs; the report and docs/calendars.md quote these counts. */
const RUNS = 300;

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Working hours as 1 to 3 non-overlapping spans on a 30-minute grid. */
const workingHoursArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 48 }), { minLength: 2, maxLength: 6 })
  .filter((bounds) => bounds.length % 2 === 0)
  .map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const spans = [];
    for (let i = 0; i < sorted.length; i += 2) spans.push({ start: hhmm(sorted[i] * 30), end: hhmm(sorted[i + 1] * 30) });
    return spans;
  });

const DAY_MS = 24 * 3600 * 1000;
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2029, 0, 1);

const calendarArb: fc.Arbitrary<BusinessCalendarRules> = fc.record({
  zone: fc.constantFrom(...ZONES),
  workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  workingHours: workingHoursArb,
  holidays: fc.uniqueArray(
    fc.integer({ min: 0, max: (TO - FROM) / DAY_MS }).map((day) => new Date(FROM + day * DAY_MS).toISOString().slice(0, 10)),
    { maxLength: 40 },
  ),
});

const startArb = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));

/** Whether `instant` is working time of `calendar`, read independently of the implementation: its local weekday, date and wall-clock time. */
function isWorkingTime(instant: Date, calendar: BusinessCalendarRules): boolean {
  const local = DateTime.fromJSDate(instant, { zone: calendar.zone });
  if (!calendar.workingDays.includes(local.weekday) || calendar.holidays.includes(local.toISODate() ?? '')) return false;
  const minute = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60000;
  return calendar.workingHours.some((h) => minute >= minutesOfDay(h.start) && minute < minutesOfDay(h.end));
}

describe('due instants, properties', () => {
  it(`adding N business days lands in working time (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(calendarArb, startArb, fc.integer({ min: 0, max: 60 }), (calendar, start, amount) => {
        expect(isWorkingTime(dueInstant({ start, amount, unit: 'business_days', calendar }), calendar)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it(`counting N working days back from working time lands in working time, before it (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(calendarArb, startArb, fc.integer({ min: 1, max: 40 }), (calendar, start, count) => {
        const due = dueInstant({ start, amount: 1, unit: 'business_days', calendar });
        const before = workingDaysBefore(due, count, calendar);
        expect(isWorkingTime(before, calendar)).toBe(true);
        expect(before.getTime()).toBeLessThan(due.getTime());
      }),
      { numRuns: RUNS },
    );
  });

  it(`adding N business hours ends in working time or at its close (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(calendarArb, startArb, fc.integer({ min: 1, max: 200 }), (calendar, start, amount) => {
        const instant = dueInstant({ start, amount, unit: 'business_hours', calendar });
        expect(isWorkingTime(new Date(instant.getTime() - 1), calendar)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it(`is monotonic in N and never before the start (${RUNS} runs per unit)`, () => {
    for (const unit of ['business_days', 'business_hours'] as const) {
      fc.assert(
        fc.property(calendarArb, startArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (calendar, start, a, b) => {
          const [fewer, more] = a <= b ? [a, b] : [b, a];
          const early = dueInstant({ start, amount: fewer, unit, calendar }).getTime();
          expect(early).toBeGreaterThanOrEqual(start.getTime());
          expect(dueInstant({ start, amount: more, unit, calendar }).getTime()).toBeGreaterThanOrEqual(early);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it(`equals calendar arithmetic when every day works round the clock (${RUNS} runs per unit)`, () => {
    const always = fc.constantFrom(...ZONES).map((zone): BusinessCalendarRules => ({
      zone,
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      workingHours: [{ start: '00:00', end: '24:00' }],
      holidays: [],
    }));
    fc.assert(
      fc.property(always, startArb, fc.integer({ min: 0, max: 120 }), (calendar, start, amount) => {
        expect(dueInstant({ start, amount, unit: 'business_days', calendar })).toEqual(
          dueInstant({ start, amount, unit: 'calendar_days', calendar }),
        );
        expect(dueInstant({ start, amount, unit: 'business_hours', calendar })).toEqual(
          dueInstant({ start, amount, unit: 'calendar_hours', calendar }),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
