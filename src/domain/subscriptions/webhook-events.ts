/**
 * The webhook event of a policy's issue (docs/webhooks.md, Event types), recorded in the
 * transaction in which its run gives it its first term; its dedupe key names the policy, so a
 * retried activity records it once.
 */
import type { Transaction } from 'sequelize';
import type { Subscription } from '../../models';
import { recordWebhookEvent } from '../webhooks/events';

/** `subscription.issued`, with the row as its first term left it (active, or awaiting its first premium). */
export function recordPolicyIssuedEvent(subscription: Subscription, transaction: Transaction): Promise<void> {
  return recordWebhookEvent(
    {
      tenantId: subscription.tenantId,
      type: 'subscription.issued',
      subject: `subscriptions/${subscription.id}`,
      data: {
        subscriptionId: subscription.id,
        policyNumber: subscription.policyNumber,
        policyType: subscription.policyType ?? null,
        planId: subscription.planId,
        policyholderId: subscription.policyholderId,
        status: subscription.status,
        coverageAmount: subscription.coverageAmount,
        premium: subscription.premium,
        currency: subscription.currency,
        billingFrequency: subscription.billingFrequency ?? null,
        startDate: subscription.startDate,
        endDate: subscription.endDate,
      },
      time: new Date(),
      dedupeKey: `subscription:${subscription.id}:issued`,
    },
    transaction,
  );
}
