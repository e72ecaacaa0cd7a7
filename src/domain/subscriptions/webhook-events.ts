/**
 * The webhook events of a policy (docs/webhooks.md, Event types), recorded in the transaction of
 * its run's change they tell of; each dedupe key names the change, so a retried activity records it once.
 * The cover and premium are written with the decimals of the policy's currency, as the API writes money.
 */
import type { Transaction } from 'sequelize';
import type { SubscriptionStatus } from '../../contracts/subscription';
import type { Subscription, SubscriptionChange, SubscriptionVersion } from '../../models';
import { formatClaimAmount, formatMinorUnits } from '../../shared/money';
import { recordWebhookEvent, type WebhookEventType } from '../webhooks/events';

/** An event about a subscription: its subject, and its id and policy number first in its data. */
function recordSubscriptionEvent(
  subscription: Subscription,
  type: WebhookEventType,
  data: Record<string, unknown>,
  change: string,
  transaction: Transaction,
): Promise<void> {
  return recordWebhookEvent(
    {
      tenantId: subscription.tenantId,
      type,
      subject: `subscriptions/${subscription.id}`,
      data: { subscriptionId: subscription.id, policyNumber: subscription.policyNumber ?? null, ...data },
      time: new Date(),
      dedupeKey: `subscription:${subscription.id}:${change}`,
    },
    transaction,
  );
}

/** `subscription.status_changed`: the run moved the row from one status to another; `change` names the move. */
export function recordStatusChangedEvent(
  subscription: Subscription,
  move: { from: SubscriptionStatus; to: SubscriptionStatus; actorId: string | null; change: string },
  transaction: Transaction,
): Promise<void> {
  const { from, to, actorId, change } = move;
  const { renewalCount, startDate, endDate } = subscription;
  return recordSubscriptionEvent(
    subscription,
    'subscription.status_changed',
    { from, to, renewalCount, startDate: startDate ?? null, endDate: endDate ?? null, actorId },
    change,
    transaction,
  );
}

/** `subscription.issued`, with the row as its first term left it (active, or awaiting its first premium). */
export function recordPolicyIssuedEvent(subscription: Subscription, transaction: Transaction): Promise<void> {
  return recordSubscriptionEvent(
    subscription,
    'subscription.issued',
    {
      policyType: subscription.policyType ?? null,
      planId: subscription.planId,
      policyholderId: subscription.policyholderId,
      status: subscription.status,
      coverageAmount: formatClaimAmount(subscription.coverageAmount, subscription.currency),
      premium: formatClaimAmount(subscription.premium, subscription.currency),
      currency: subscription.currency,
      billingFrequency: subscription.billingFrequency ?? null,
      startDate: subscription.startDate,
      endDate: subscription.endDate,
    },
    'issued',
    transaction,
  );
}

/**
 * `subscription.changed`: a policy change was applied and made the version; its data names the
 * fields it moved but never carries the holder's contact (the API has it for those allowed to see it).
 */
export function recordPolicyChangedEvent(
  subscription: Subscription,
  version: SubscriptionVersion,
  change: SubscriptionChange,
  changedFields: string[],
  transaction: Transaction,
): Promise<void> {
  return recordSubscriptionEvent(
    subscription,
    'subscription.changed',
    {
      changeId: change.id,
      version: version.number,
      effectiveDate: version.effectiveFrom,
      changedFields,
      planId: version.planId,
      coverageAmount: formatClaimAmount(version.coverageAmount, version.currency),
      premium: formatClaimAmount(version.premium, version.currency),
      currency: version.currency,
      premiumDeltaMinor: change.premiumDeltaMinor,
      premiumDelta: formatMinorUnits(change.premiumDeltaMinor, version.currency),
      actorId: version.changedById ?? null,
    },
    `change:${change.id}`,
    transaction,
  );
}
