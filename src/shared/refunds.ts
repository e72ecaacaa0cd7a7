/**
 * What a cancellation mid-term gives back (docs/premiums.md, Refunds): pure, so the rule is
 * tested to the cent apart from the database.
 *
 * The term runs from its start (inclusive) to its end date (exclusive), D days, and its premium is
 * billed for all of them. Cover was used from the start, or from the day cover began when later
 * (a policy that waited for its first premium: the days it waited were not covered and earn
 * nothing), but for the days of a lapse (an instalment unpaid past its grace: not covered either), until cover
 * ended (`coverUntil`, exclusive: the cancellation day, or the day after it when a loss of that day was claimed
 * before the cancellation, `coverEndOf` in src/domain/subscriptions/cover.ts), U days, at most D. The premium earned is premium × U / D, rounded up to the minor unit (so the refund rounds
 * down and never exceeds the exact share). When policy changes moved the premium during the term,
 * each day earns the premium in force that day: Σ premiumᵢ × daysᵢ / D, rounded up once. The refund is what was paid towards the term less what
 * was earned, never below zero and never more than was paid; a credit (paid beyond what was
 * owed) is given back whole on top. A term in which a claim was approved or paid has its premium
 * earned in full (`claimPaid`): only the credit comes back.
 */
import { DAY_MS } from './time';

export interface RefundTerms {
  premiumMinor: number;
  /** 'YYYY-MM-DD' */
  termStart: string;
  /** 'YYYY-MM-DD', exclusive */
  termEnd: string;
  /** 'YYYY-MM-DD', exclusive: the day after the last day covered (`coverEndOf`). */
  coverUntil: string;
  /** 'YYYY-MM-DD': the first day of cover, when after `termStart` (the term's end for a policy whose cover never began). */
  coverFrom?: string;
  /** The policy's lapses ('YYYY-MM-DD', from `startedOn` to `endedOn` exclusive; null: it lasted to the cancellation): no cover, no day used. */
  lapses?: ReadonlyArray<{ startedOn: string; endedOn: string | null }>;
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

/** The days from `from` to `until` (day numbers, `until` exclusive) outside the lapses, which never overlap one another. */
function coveredDays(from: number, until: number, lapses: ReadonlyArray<readonly [number, number]>): number {
  const lapsed = lapses.reduce((total, [start, end]) => total + Math.max(Math.min(end, until) - Math.max(start, from), 0), 0);
  return Math.max(until - from, 0) - lapsed;
}

export function earnedPremium(terms: Omit<RefundTerms, 'paidMinor' | 'creditMinor'>): number {
  const { premiumMinor, termStart, termEnd, premiumChanges = [] } = terms;
  const [start, end] = [dayNumber(termStart), dayNumber(termEnd)];
  const termDays = end - start;
  if (termDays <= 0) return premiumMinor;
  const within = (day: number) => Math.min(Math.max(day, start), end);
  const usedFrom = within(dayNumber(terms.coverFrom ?? termStart));
  const usedUntil = within(dayNumber(terms.coverUntil));
  const spans = [{ from: start, premiumMinor }, ...premiumChanges.map((change) => ({ ...change, from: within(dayNumber(change.from)) }))];
  const lapses = (terms.lapses ?? []).map(({ startedOn, endedOn }) => [dayNumber(startedOn), endedOn ? dayNumber(endedOn) : end] as const);
  // Exact in integers (at most 10^12 minor units × 366 days), divided and rounded once.
  const dayPremiums = spans.reduce((total, span, i) => {
    const until = Math.min(spans[i + 1]?.from ?? usedUntil, usedUntil);
    return total + span.premiumMinor * coveredDays(Math.max(span.from, usedFrom), until, lapses);
  }, 0);
  return Math.ceil(dayPremiums / termDays);
}

export function proRataRefund(terms: RefundTerms): number {
  const earned = terms.claimPaid ? terms.paidMinor : earnedPremium(terms);
  const unused = Math.max(terms.paidMinor - earned, 0);
  return Math.min(unused, terms.paidMinor) + terms.creditMinor;
}
