/**
 * A premium cut into instalments (docs/premiums.md, Rounding): pure, so the API, the activities,
 * the migration of existing policies and the tests compute the same schedule.
 *
 * Rule: a term of `durationMonths` billed every `monthsPerInstalment` months has
 * ceil(duration / period) instalments, due on the term's start and then every period (calendar
 * months, clamped to the month's last day). Each instalment is floor(premium / count) minor units
 * and the remainder (fewer than `count` minor units) goes to the first instalment, so the
 * instalments add up to the premium exactly and the first one is never the smaller. When the
 * premium has fewer minor units than there are instalments (0.01 billed monthly), instalments of
 * zero are not issued: there is nothing to bill; a premium of zero has no instalments at all.
 */
import { utcDay } from './time';

export const BILLING_FREQUENCIES = ['annual', 'semiannual', 'quarterly', 'monthly'] as const;
export type BillingFrequency = (typeof BILLING_FREQUENCIES)[number];

export const MONTHS_PER_INSTALMENT: Readonly<Record<BillingFrequency, number>> = {
  annual: 12,
  semiannual: 6,
  quarterly: 3,
  monthly: 1,
};

export interface Instalment {
  /** 1 for the first instalment of the term. */
  sequence: number;
  /** 'YYYY-MM-DD' */
  dueDate: string;
  amountMinor: number;
}

export interface ScheduleTerms {
  premiumMinor: number;
  frequency: BillingFrequency;
  /** 'YYYY-MM-DD': the first instalment is due that day. */
  termStart: string;
  durationMonths: number;
}

/** Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return utcDay(Date.UTC(year, month - 1 + months, Math.min(day, lastDay)));
}

export function instalmentsOf({ premiumMinor, frequency, termStart, durationMonths }: ScheduleTerms): Instalment[] {
  if (!Number.isSafeInteger(premiumMinor) || premiumMinor < 0)
    throw new RangeError(`premium must be whole minor units, got ${premiumMinor}`);
  if (!Number.isInteger(durationMonths) || durationMonths < 1) throw new RangeError(`durationMonths must be a whole number of months`);
  const period = MONTHS_PER_INSTALMENT[frequency];
  const count = Math.ceil(durationMonths / period);
  const each = Math.floor(premiumMinor / count);
  const remainder = premiumMinor - each * count;
  const schedule: Instalment[] = [];
  for (let index = 0; index < count; index += 1) {
    const amountMinor = index === 0 ? each + remainder : each;
    if (amountMinor === 0) continue;
    schedule.push({ sequence: index + 1, dueDate: addMonths(termStart, index * period), amountMinor });
  }
  return schedule;
}
