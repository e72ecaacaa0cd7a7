/**
 * What a policy change costs and when it is billed (docs/subscriptions.md, Policy changes): pure,
 * so the rule is tested to the minor unit apart from the database.
 *
 * The term runs from its start (inclusive) to its end date (exclusive), D days; the change is in
 * force from its effective date to the end, R days. The change costs the difference of the two
 * premiums for the part of the term it covers: (after − before) × R / D minor units, rounded up
 * (towards +∞). So an additional premium is never below the exact share and a return premium
 * never above it, as a cancellation's refund (src/shared/refunds.ts) rounds the insurer's way.
 * The product is taken in BigInt: premiums of 10^12 minor units times terms of thousands of days
 * leave the safe integers.
 */
import type { PolicyChangeBilling } from '../../../shared/tenant-settings';
import { DAY_MS } from '../../../shared/time';

export interface ChangePriceTerms {
  premiumBeforeMinor: number;
  premiumAfterMinor: number;
  /** 'YYYY-MM-DD' */
  termStart: string;
  /** 'YYYY-MM-DD', exclusive */
  termEnd: string;
  /** 'YYYY-MM-DD', in [termStart, termEnd) */
  effectiveDate: string;
}

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** ⌈n / d⌉ for d > 0, exact for any size. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const quotient = n / d; // BigInt division truncates towards zero
  return n % d > 0n ? quotient + 1n : quotient;
}

/** The premium delta in minor units: positive is additional premium, negative a return premium. */
export function priceChange({ premiumBeforeMinor, premiumAfterMinor, termStart, termEnd, effectiveDate }: ChangePriceTerms): number {
  const termDays = dayNumber(termEnd) - dayNumber(termStart);
  const restDays = dayNumber(termEnd) - dayNumber(effectiveDate);
  if (termDays <= 0 || restDays <= 0 || restDays > termDays)
    throw new RangeError(`effective date ${effectiveDate} is outside the term [${termStart}, ${termEnd})`);
  const difference = BigInt(premiumAfterMinor) - BigInt(premiumBeforeMinor);
  return Number(ceilDiv(difference * BigInt(restDays), BigInt(termDays)));
}

export interface ChangeBillingTerms {
  deltaMinor: number;
  effectiveDate: string;
  /** 'YYYY-MM-DD', the day the change is priced. */
  today: string;
  /** The tenant's setting `policyChangeBilling`. */
  billing: PolicyChangeBilling;
  /** The due dates of the term's instalments still unpaid. */
  unpaidDueDates: readonly string[];
  /** The smallest card payment in the policy's currency (src/shared/card-minimum.ts): no billed share is below it. */
  minimumMinor: number;
}

/** An amount the change bills (positive) or credits (negative), due on a date. */
export interface ChangeInstalmentAmount {
  dueDate: string;
  amountMinor: number;
}

/**
 * The instalments a change's delta is billed or credited in. `next_instalments`: spread over the
 * unpaid instalments due on or after the effective date, as a premium is cut (src/shared/
 * instalments.ts: equal shares, the remainder on the first, none of zero), an additional premium
 * over only as many of the first as keep each share at `minimumMinor` or more; or, with none left,
 * `own_invoice`: one amount due on the effective date, or today when that has passed. Nothing for
 * a delta of zero.
 */
export function changeInstalments({
  deltaMinor,
  effectiveDate,
  today,
  billing,
  unpaidDueDates,
  minimumMinor,
}: ChangeBillingTerms): ChangeInstalmentAmount[] {
  if (deltaMinor === 0) return [];
  const unpaid = billing === 'next_instalments' ? [...new Set(unpaidDueDates.filter((date) => date >= effectiveDate))].sort() : [];
  if (unpaid.length === 0) return [{ dueDate: effectiveDate > today ? effectiveDate : today, amountMinor: deltaMinor }];
  const sign = Math.sign(deltaMinor);
  const magnitude = Math.abs(deltaMinor);
  // A credit is taken off an instalment, never charged: it is spread over them all.
  const shares = sign > 0 ? Math.min(unpaid.length, Math.max(1, Math.floor(magnitude / minimumMinor))) : unpaid.length;
  const due = unpaid.slice(0, shares);
  const each = Math.floor(magnitude / due.length);
  const remainder = magnitude - each * due.length;
  return due
    .map((dueDate, index) => ({ dueDate, amountMinor: sign * (index === 0 ? each + remainder : each) }))
    .filter((instalment) => instalment.amountMinor !== 0);
}
