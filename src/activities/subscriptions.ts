/**
 * Persistence of the subscription lifecycle. The workflow `subscription-<id>` is the only writer
 * of a subscription row's status and dates (the API may only insert the pending row, with the
 * same terms); every write here is guarded by the state it expects, so a retried activity finds
 * its change already made and changes nothing.
 */
import { Subscription, TenantSettings } from '../models';
import type { SubscriptionStatus } from '../models/subscription';
import type { SubscriptionTerms } from '../workflows/subscription-messages';

export interface SubscriptionChange {
  subscriptionId: string;
  /** The row is changed only while it still has this status and renewal count. */
  expected: { status: SubscriptionStatus; renewalCount: number };
  changes: Partial<{
    status: SubscriptionStatus;
    startDate: string;
    endDate: string;
    renewalCount: number;
    /** ISO timestamp from the workflow clock, so a retry writes the same value. */
    cancelledAt: string;
    cancelledById: string;
    cancellationReason: string;
  }>;
}

export interface RenewalPolicy {
  renewalReminderDays: number;
}

export function createSubscriptionActivities() {
  return {
    /** The same idempotent insert POST /subscriptions makes right after starting the run. */
    async recordPendingSubscription(terms: SubscriptionTerms): Promise<void> {
      await Subscription.recordPending(terms);
    },

    async applySubscriptionChange(change: SubscriptionChange): Promise<void> {
      const { cancelledAt, ...changes } = change.changes;
      await Subscription.update({ ...changes, ...(cancelledAt && { cancelledAt: new Date(cancelledAt) }) }, {
        where: { id: change.subscriptionId, status: change.expected.status, renewalCount: change.expected.renewalCount },
      });
    },

    /** Read at the start of every run, so a renewal picks up the tenant's current settings. */
    async loadRenewalPolicy(tenantId: string): Promise<RenewalPolicy> {
      const settings = await TenantSettings.forTenant(tenantId);
      return { renewalReminderDays: settings.subscriptionRenewalReminderDays };
    },
  };
}
