/**
 * Persistence of the subscription lifecycle. The workflow `subscription-<id>` is the only writer
 * of a subscription row's status and dates (the API may only insert the pending row, with the
 * same terms); every write here is guarded by the state it expects, so a retried activity finds
 * its change already made and changes nothing.
 */
import { Subscription, TenantSettings } from '../models';
import { billCurrentTerm } from '../models/invoice';
import { subscriptionCreatedEvent } from '../models/subscription';
import { recordAudit } from '../services/audit';
import { refundOnCancellation } from '../services/premium-refunds';
import type { SubscriptionStatus, SubscriptionTerms } from '../contracts/subscription';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';
import { changeGuarded } from './guarded-change';

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

const ACTION_BY_STATUS: Record<SubscriptionStatus, string> = {
  pending: 'subscription.create',
  active: 'subscription.activate',
  cancelled: 'subscription.cancel',
  expired: 'subscription.expire',
};

export function createSubscriptionActivities(deps: Pick<ActivityDeps, 'sequelize'>) {
  return {
    /** The same idempotent insert POST /subscriptions makes right after starting the run. */
    async recordPendingSubscription(terms: SubscriptionTerms): Promise<void> {
      await deps.sequelize.transaction(async (transaction) => {
        await Subscription.recordPending(terms, transaction);
        // The staff member who issued the policy, else the holder: the same actor as the API's event.
        await recordAudit(workflowAuditSource(terms.issuedById ?? terms.policyholderId), subscriptionCreatedEvent(terms), transaction);
      });
    },

    async applySubscriptionChange(change: SubscriptionChange): Promise<void> {
      const { cancelledAt, ...changes } = change.changes;
      const { expected } = change;
      const next = changes.status ?? expected.status;
      const action = next === expected.status ? 'subscription.renew' : ACTION_BY_STATUS[next];
      await changeGuarded(
        deps.sequelize,
        Subscription,
        { id: change.subscriptionId, status: expected.status, renewalCount: expected.renewalCount },
        { ...changes, ...(cancelledAt && { cancelledAt: new Date(cancelledAt) }) },
        {
          action,
          entityType: 'subscription',
          actorId: changes.cancelledById ?? null,
          dedupeKey: `${change.subscriptionId}:${expected.status}:${expected.renewalCount}:${action}`,
        },
      );
      // A term begins (activation or renewal): its instalments are invoiced. Idempotent, so a
      // retry whose change was already made still bills the term once (docs/premiums.md).
      if (next === 'active') await billCurrentTerm(deps.sequelize, change.subscriptionId);
      // Cancelled mid-term: the paid, unused part is refunded, once per cancellation (docs/premiums.md, Refunds).
      if (next === 'cancelled') await refundOnCancellation(deps.sequelize, change.subscriptionId, workflowAuditSource(null));
    },

    /** Read at the start of every run, so a renewal picks up the tenant's current settings. */
    async loadRenewalPolicy(tenantId: string): Promise<RenewalPolicy> {
      const settings = await TenantSettings.forTenant(tenantId);
      return { renewalReminderDays: settings.subscriptionRenewalReminderDays };
    },
  };
}
