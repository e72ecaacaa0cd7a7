/**
 * When a policy covers (docs/subscriptions.md, When cover ends): the one rule that a claim's filing and the
 * policy's versions (`versionInForce`) ask. A term covers from its start date to its end date, both
 * included. A cancellation ends cover on the day it is made (UTC): that day is no longer covered, as the
 * refund of the unused term counts it (src/shared/refunds.ts, `cancelledOn`) and the holder's mail says
 * ("coverage ended today"). An expired or cancelled policy still covers the incidents of its cover,
 * which are commonly reported weeks later.
 */
import type { Transaction } from 'sequelize';
import { AuditEvent, type Subscription } from '../../models';
import { DAY_MS, utcDay } from '../../shared/time';

/** The last day a policy covers an incident ('YYYY-MM-DD'), and the day it was cancelled when that ended it. */
export interface CoverEnd {
  lastDay: string;
  cancelledOn: string | null;
}

/** When the policy's cover ends (or ended); null for a policy not yet dated. */
export function coverEndOf(subscription: Pick<Subscription, 'status' | 'endDate' | 'cancelledAt'>): CoverEnd | null {
  const { status, endDate, cancelledAt } = subscription;
  if (!endDate) return null;
  if (status !== 'cancelled' || !cancelledAt) return { lastDay: endDate, cancelledOn: null };
  const cancelledOn = utcDay(cancelledAt);
  const dayBefore = utcDay(Date.parse(cancelledOn) - DAY_MS);
  return { lastDay: dayBefore < endDate ? dayBefore : endDate, cancelledOn };
}

/**
 * The audit actions of the run's moves that begin a policy's cover (src/activities/subscriptions.ts):
 * straight from pending, or once its first premium is paid or waived.
 */
const COVER_BEGINS = ['subscription.activate', 'subscription.waive_first_premium'];

/**
 * Whether the policy's cover ever began. A pending policy, or one awaiting its first premium, has not
 * begun to cover; nor has one cancelled while it awaited it (the run's move to active, recorded in the
 * audit trail, never came). A renewed policy was active when it renewed.
 */
export async function coverBegan(subscription: Subscription, transaction?: Transaction): Promise<boolean> {
  if (!subscription.startDate) return false;
  switch (subscription.status) {
    case 'active':
    case 'lapsed':
    case 'expired':
      return true;
    case 'cancelled':
      if (subscription.renewalCount > 0) return true;
      return (
        (await AuditEvent.count({
          where: { tenantId: subscription.tenantId, entityType: 'subscription', entityId: subscription.id, action: COVER_BEGINS },
          transaction,
        })) > 0
      );
    default:
      return false;
  }
}
