/**
 * Persistence of the subscription lifecycle. The workflow `subscription-<id>` is the only writer
 * of a subscription row; every write here is guarded by the state it expects, so a retried
 * activity finds its change already made and changes nothing.
 */
import { Subscription, TenantSettings } from '../models';
import type { SubscriptionStatus } from '../models/subscription';
import { subscriptionWorkflowId, SubscriptionTerms } from '../workflows/subscription-messages';

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
  }>;
}

export interface RenewalPolicy {
  renewalReminderDays: number;
}

export function createSubscriptionActivities() {
  return {
    /** Inserts the pending row once; a repeat (retry, or a second start of the same key) is a no-op. */
    async recordPendingSubscription(terms: SubscriptionTerms): Promise<void> {
      await Subscription.bulkCreate(
        [
          {
            id: terms.subscriptionId,
            tenantId: terms.tenantId,
            planId: terms.planId,
            policyholderId: terms.policyholderId,
            status: 'pending',
            coverageAmount: terms.coverageAmount,
            premium: terms.premium,
            durationMonths: terms.durationMonths,
            workflowId: subscriptionWorkflowId(terms.subscriptionId),
          },
        ],
        { ignoreDuplicates: true },
      );
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
