/**
 * When a policy covers (docs/subscriptions.md, When cover begins and ends): the one rule that a claim's filing
 * and the policy's versions (`versionInForce`) ask. A term covers from its start date, or from the day its
 * cover began when that was later (`coverStartOf`), to the day before its end date: the end date is excluded, as
 * the schedule prints the period of insurance, the run expires the policy at 00:00 UTC of it, a renewed term
 * begins on it and the refund's term ends before it. A cancellation ends cover on the day it is made (UTC): that day is no longer covered, as the
 * refund of the unused term counts it (src/shared/refunds.ts, `cancelledOn`; but for a loss claimed for that day) and the holder's mail says
 * ("coverage ended today"). An expired or cancelled policy still covers the incidents of its cover,
 * which are commonly reported weeks later.
 */
import type { Subscription } from '../../models';
import { DAY_MS, utcDay } from '../../shared/time';

/** The last day a policy covers an incident ('YYYY-MM-DD'), and the day it was cancelled when that ended it. */
export interface CoverEnd {
  lastDay: string;
  cancelledOn: string | null;
}

const dayBefore = (day: string) => utcDay(Date.parse(day) - DAY_MS);

/** When the policy's cover ends (or ended); null for a policy not yet dated. */
export function coverEndOf(subscription: Pick<Subscription, 'status' | 'endDate' | 'cancelledAt'>): CoverEnd | null {
  const { status, endDate, cancelledAt } = subscription;
  if (!endDate) return null;
  const termLastDay = dayBefore(endDate);
  if (status !== 'cancelled' || !cancelledAt) return { lastDay: termLastDay, cancelledOn: null };
  const cancelledOn = utcDay(cancelledAt);
  const lastDay = dayBefore(cancelledOn);
  return { lastDay: lastDay < termLastDay ? lastDay : termLastDay, cancelledOn };
}

/**
 * The first day the policy covers an incident ('YYYY-MM-DD'): its start date, or the day its cover began
 * when that came later (a policy that waited for its first premium covers from the day it was paid or
 * waived, not from the days it waited); null for one whose cover never began (pending, awaiting its first
 * premium, or cancelled then). A renewal keeps the day its first term began. The day is the row's own,
 * written by the run's move to active (`coverBeganOn`), so what covered a past day never changes later.
 */
export function coverStartOf(subscription: Pick<Subscription, 'startDate' | 'coverBeganOn'>): string | null {
  const { startDate, coverBeganOn } = subscription;
  if (!startDate || !coverBeganOn) return null;
  return coverBeganOn > startDate ? coverBeganOn : startDate;
}
