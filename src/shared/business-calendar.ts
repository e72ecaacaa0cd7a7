/**
 * A business calendar (docs/calendars.md): the time zone, working days and hours and holidays a
 * tenant counts business time in, and the units a deadline may be counted in. Plain data: the
 * arithmetic (src/domain/calendars/business-time.ts) needs time-zone data, which workflow code must not
 * read, so workflows receive due instants from an activity.
 */

/** How a deadline's amount is counted. `calendar_*` is wall-clock time, today's behaviour. */
export const DEADLINE_UNITS = ['calendar_hours', 'calendar_days', 'business_hours', 'business_days'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

/** One span of working time in a working day, local wall-clock "HH:mm"; `end` may be "24:00". */
export interface WorkingHours {
  start: string;
  end: string;
}

/** A holiday as a calendar keeps it: its local date ("yyyy-MM-dd") and its name. */
export interface Holiday {
  date: string;
  name: string;
}

/** Bounds of a calendar, so one tenant's calendar stays a small row and a quick computation. */
export const CALENDAR_LIMITS = { holidays: 1000, workingHours: 6, calendarsPerTenant: 50, icsBytes: 256 * 1024 } as const;

export interface BusinessCalendarRules {
  /** IANA time zone name the hours and holidays are read in. */
  zone: string;
  /** ISO weekdays that are working days: 1 Monday … 7 Sunday. */
  workingDays: number[];
  /** The working spans of every working day, not overlapping. */
  workingHours: WorkingHours[];
  /** Local dates ("yyyy-MM-dd") that are not working days. */
  holidays: string[];
}

/** The calendar a tenant without one of its own counts in: Monday to Friday, 09:00-17:00, UTC. */
export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendarRules = {
  zone: 'UTC',
  workingDays: [1, 2, 3, 4, 5],
  workingHours: [{ start: '09:00', end: '17:00' }],
  holidays: [],
};

/** "HH:mm" as minutes after midnight; "24:00" is 1440. */
export function minutesOfDay(time: string): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`not a time of day: ${time}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (minutes > 24 * 60) throw new RangeError(`not a time of day: ${time}`);
  return minutes;
}

/**
 * Why a calendar's working hours cannot be used, or null: each span must start before it ends,
 * and the spans must not overlap (touching is allowed: 09:00-12:00 and 12:00-17:00).
 */
export function workingHoursProblem(hours: WorkingHours[]): string | null {
  const spans = hours.map((h) => ({ start: minutesOfDay(h.start), end: minutesOfDay(h.end) }));
  if (spans.some((s) => s.start >= s.end)) return 'each span of working hours must start before it ends';
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) return 'working hours must not overlap';
  }
  return null;
}
