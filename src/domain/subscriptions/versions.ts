/**
 * A policy's changes and versions (docs/subscriptions.md, Policy changes): version 1 is the policy as issued, each
 * applied change adds the next. The policy "as of" a day is the subscription with the terms of the
 * version in force that day (the highest number effective on or before it).
 */
import { Subscription, SubscriptionChange, SubscriptionVersion } from '../../models';
import { notFound } from '../../shared/errors';

/** The policy's changes, newest first, whatever became of them. */
export function changesOf(subscription: Subscription): Promise<SubscriptionChange[]> {
  return SubscriptionChange.findAll({
    where: { subscriptionId: subscription.id, tenantId: subscription.tenantId },
    order: [['createdAt', 'DESC']],
  });
}

/** The policy's versions, oldest first. */
export function versionsOf(subscription: Subscription): Promise<SubscriptionVersion[]> {
  return SubscriptionVersion.findAll({
    where: { subscriptionId: subscription.id, tenantId: subscription.tenantId },
    order: [['number', 'ASC']],
  });
}

/** The terms a version fixes, as the subscription row names them. */
export type VersionTerms = Pick<
  SubscriptionVersion,
  'planId' | 'coverageAmount' | 'premium' | 'currency' | 'propertyAddress' | 'holderPhone'
>;

export interface PolicyAsOf {
  subscription: Subscription;
  terms: VersionTerms;
  version: { number: number; effectiveFrom: string };
}

/** The policy with the terms in force on `date` ('YYYY-MM-DD'); 404 for a day before its first. */
export async function policyAsOf(subscription: Subscription, date: string): Promise<PolicyAsOf> {
  const version = await SubscriptionVersion.versionInForce(subscription.id, date);
  if (!version) throw notFound(`A version of the policy in force on ${date}`);
  const { planId, coverageAmount, premium, currency, propertyAddress, holderPhone } = version;
  return {
    subscription,
    terms: { planId, coverageAmount, premium, currency, propertyAddress, holderPhone },
    version: { number: version.number, effectiveFrom: version.effectiveFrom },
  };
}
