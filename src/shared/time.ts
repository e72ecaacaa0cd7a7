/**
 * Lengths of the units tenant settings and deadlines are counted in. A day is 24 hours of UTC
 * time: deadlines move with the clock, not with a calendar or a time zone.
 */
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC day a moment falls on, 'YYYY-MM-DD': the day the API, the runs and the books count in. */
export const utcDay = (moment: Date | number): string => new Date(moment).toISOString().slice(0, 10);
