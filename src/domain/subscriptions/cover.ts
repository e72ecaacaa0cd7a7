/**
 * When a policy covers (docs/subscriptions.md, When cover begins and ends): the one rule that a claim's filing,
 * the policy's versions (`versionInForce`), the cancellation's refund and its entries in the books ask. A term
 * covers from its start date, or from the day its cover began when that was later (`coverStartOf`), to the day
 * before its end date: the end date is excluded, as the schedule prints the period of insurance, the run expires
 * the policy at 00:00 UTC of it, a renewed term begins on it and the refund's term ends before it. A cancellation
 * ends cover on the day it is made (UTC): that day is no longer covered, and the holder's mail says "coverage ended
 * today". But for a loss of that day claimed before the cancellation: the policy was in force when it happened, so
 * it covers that day for the losses claimed before the cancellation (and no other: a claim filed after it is
 * refused), whatever their claims' outcome (a denial judges the loss, not whether the day was covered). An expired
 * or cancelled policy still covers the incidents of its cover, which are commonly reported weeks later.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { Subscription } from '../../models';
import { DAY_MS, utcDay } from '../../shared/time';

/** The last day a policy covers an incident ('YYYY-MM-DD'), and the day it was cancelled when that ended it. */
export interface CoverEnd {
  lastDay: string;
  /**
   * The day a cancellation ended cover. From it to `lastDay`, when that is not before it, the policy covers only the
   * losses claimed before the cancellation.
   */
  cancelledOn: string | null;
}

/** The day before `day` ('YYYY-MM-DD'). */
export const dayBefore = (day: string) => utcDay(Date.parse(day) - DAY_MS);

/** The day after `day` ('YYYY-MM-DD'): where cover whose last day is `day` stops, as the books' `cover_until` and the refund count it. */
export const dayAfter = (day: string) => utcDay(Date.parse(day) + DAY_MS);

/**
 * When the policy's cover ends (or ended); null for a policy not yet dated. For a cancelled policy, the last day is the
 * day before its cancellation, or the latest day of a loss on or after the cancellation's day claimed on the policy:
 * once the row is cancelled no claim for such a day is taken, so these claims were all filed before it, and what the
 * answer says of a past day does not change later. Read in `transaction` when given (the refund's, under the row's lock).
 */
export async function coverEndOf(
  subscription: Pick<Subscription, 'id' | 'status' | 'endDate' | 'cancelledAt'>,
  transaction?: Transaction,
): Promise<CoverEnd | null> {
  const { id, status, endDate, cancelledAt } = subscription;
  if (!endDate) return null;
  const termLastDay = dayBefore(endDate);
  if (status !== 'cancelled' || !cancelledAt) return { lastDay: termLastDay, cancelledOn: null };
  const cancelledOn = utcDay(cancelledAt);
  const [claimed] = await Subscription.sequelize!.query<{ day: string | null }>(
    `SELECT max(incident_date)::text AS day FROM claims WHERE subscription_id = :id AND incident_date >= :cancelledOn`,
    { type: QueryTypes.SELECT, replacements: { id, cancelledOn }, transaction },
  );
  const lastDay = claimed?.day ?? dayBefore(cancelledOn);
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
