/**
 * What a cancellation mid-term gives back (docs/premiums.md, Refunds): pure, so the rule is
 * tested to the cent apart from the database.
 *
 * The term runs from its start (inclusive) to its end date (exclusive), D days, and its premium is
 * billed for all of them. Cover was used from the start, or from the day cover began when later
 * (a policy that waited for its first premium: the days it waited were not covered and earn
 * nothing), until the cancellation day (exclusive: coverage ends that day), or through the
 * day of the latest loss claimed on the policy when that is later (a claim made for a loss of the
 * cancellation day is paid: that day's cover was used), U days, at most D. The premium earned is premium × U / D, rounded up to the minor unit (so the refund rounds
 * down and never exceeds the exact share). When policy changes moved the premium during the term,
 * each day earns the premium in force that day: Σ premiumᵢ × daysᵢ / D, rounded up once. The refund is what was paid towards the term less what
 * was earned, never below zero and never more than was paid; a credit (paid beyond what was
 * owed) is given back whole on top. A term in which a claim was approved or paid has its premium
 * earned in full (`claimPaid`): only the credit comes back.
 */
import { DAY_MS, utcDay } from './time';

export interface RefundTerms {
  premiumMinor: number;
  /** 'YYYY-MM-DD' */
  termStart: string;
  /** 'YYYY-MM-DD', exclusive */
  termEnd: string;
  /** 'YYYY-MM-DD': the day coverage ended. */
  cancelledOn: string;
  /** 'YYYY-MM-DD': the first day of cover, when after `termStart` (the term's end for a policy whose cover never began). */
  coverFrom?: string;
  /** 'YYYY-MM-DD': the latest incident day of a claim made on the policy, used even when on or after `cancelledOn`. */
  lastClaimedDay?: string | null;
  /** A claim of the term was approved, or money of one approved, issued or paid: the premium paid is earned in full. */
  claimPaid?: boolean;
  /** The premium from a day of the term on (policy changes applied), in the order they took effect; `premiumMinor` is the term's first. */
  premiumChanges?: ReadonlyArray<{ from: string; premiumMinor: number }>;
  /** Applied to the term's invoices (credits excluded). */
  paidMinor: number;
  /** Paid beyond what the invoices owed. */
  creditMinor: number;
}

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** The day after the last day of cover used ('YYYY-MM-DD'): the cancellation day, or the day after the latest claimed loss when later. */
export function usedUntilOf({ cancelledOn, lastClaimedDay }: Pick<RefundTerms, 'cancelledOn' | 'lastClaimedDay'>): string {
  const afterClaimed = lastClaimedDay ? utcDay((dayNumber(lastClaimedDay) + 1) * DAY_MS) : null;
  return afterClaimed && afterClaimed > cancelledOn ? afterClaimed : cancelledOn;
}

export function earnedPremium(terms: Omit<RefundTerms, 'paidMinor' | 'creditMinor'>): number {
  const { premiumMinor, termStart, termEnd, premiumChanges = [] } = terms;
  const [start, end] = [dayNumber(termStart), dayNumber(termEnd)];
  const termDays = end - start;
  if (termDays <= 0) return premiumMinor;
  const within = (day: number) => Math.min(Math.max(day, start), end);
  const usedFrom = within(dayNumber(terms.coverFrom ?? termStart));
  const usedUntil = within(dayNumber(usedUntilOf(terms)));
  const spans = [{ from: start, premiumMinor }, ...premiumChanges.map((change) => ({ ...change, from: within(dayNumber(change.from)) }))];
  // Exact in integers (at most 10^12 minor units × 366 days), divided and rounded once.
  const dayPremiums = spans.reduce((total, span, i) => {
    const until = Math.min(spans[i + 1]?.from ?? usedUntil, usedUntil);
    return total + span.premiumMinor * Math.max(until - Math.max(span.from, usedFrom), 0);
  }, 0);
  return Math.ceil(dayPremiums / termDays);
}

export function proRataRefund(terms: RefundTerms): number {
  const earned = terms.claimPaid ? terms.paidMinor : earnedPremium(terms);
  const unused = Math.max(terms.paidMinor - earned, 0);
  return Math.min(unused, terms.paidMinor) + terms.creditMinor;
}
