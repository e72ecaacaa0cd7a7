/**
 * What a cancellation mid-term gives back (docs/premiums.md, Refunds): pure, so the rule is
 * tested to the cent apart from the database.
 *
 * The term runs from its start (inclusive) to its end date (exclusive), D days. Cover was used
 * from the start until the cancellation day (exclusive: coverage ends that day), U days, at most
 * D. The premium earned is premium × U / D, rounded up to the minor unit (so the refund rounds
 * down and never exceeds the exact share). The refund is what was paid towards the term less what
 * was earned, never below zero and never more than was paid; a credit (paid beyond what was
 * owed) is given back whole on top.
 */
import { DAY_MS } from './time';

export interface RefundTerms {
  premiumMinor: number;
  /** 'YYYY-MM-DD' */
  termStart: string;
  /** 'YYYY-MM-DD', exclusive */
  termEnd: string;
  /** 'YYYY-MM-DD': the day coverage ended. */
  cancelledOn: string;
  /** Applied to the term's invoices (credits excluded). */
  paidMinor: number;
  /** Paid beyond what the invoices owed. */
  creditMinor: number;
}

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

export function earnedPremium({ premiumMinor, termStart, termEnd, cancelledOn }: Omit<RefundTerms, 'paidMinor' | 'creditMinor'>): number {
  const termDays = dayNumber(termEnd) - dayNumber(termStart);
  if (termDays <= 0) return premiumMinor;
  const usedDays = Math.min(Math.max(dayNumber(cancelledOn) - dayNumber(termStart), 0), termDays);
  return Math.ceil((premiumMinor * usedDays) / termDays);
}

export function proRataRefund(terms: RefundTerms): number {
  const unused = Math.max(terms.paidMinor - earnedPremium(terms), 0);
  return Math.min(unused, terms.paidMinor) + terms.creditMinor;
}
