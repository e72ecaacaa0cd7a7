/**
 * A policy's changes and versions (docs/subscriptions.md, Policy changes): version 1 is the policy as issued, each
 * applied change adds the next, and so does a renewal that re-rates a policy bound from a quote at another premium. The policy "as of" a day is the subscription with the terms of the
 * version in force that day (the highest number effective on or before it).
 */
import type { Transaction } from 'sequelize';
import { Subscription, SubscriptionVersion } from '../../models';
import { notFound } from '../../shared/errors';
import { coverEndOf, coverStartOf } from './cover';

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

/**
 * The version of the policy in force on `date` ('YYYY-MM-DD'): none before its cover's first day
 * (`coverStartOf`: its start date, or the later day its first premium was paid or waived), nor after
 * its cover's last (`coverEndOf`, the last day a claim's incident is covered: the day before its term's end date, or
 * the day before its cancellation, or its cancellation's day when a loss of it was claimed before it, so the
 * version that judged that claim): what terms a renewal brings is not known before it happens, and a
 * policy whose cover has ended has none. Nor has one whose cover never began (awaiting its first
 * premium, or cancelled before it was paid): its terms are recorded, but nothing was in force.
 */
export async function versionInForce(subscription: Subscription, date: string): Promise<SubscriptionVersion | null> {
  const first = coverStartOf(subscription);
  const end = await coverEndOf(subscription);
  if (!first || date < first || (end && date > end.lastDay)) return null;
  return SubscriptionVersion.versionInForce(subscription.id, date);
}

/** The policy with the terms in force on `date` ('YYYY-MM-DD'); 404 when no version is (versionInForce). */
export async function policyAsOf(subscription: Subscription, date: string): Promise<PolicyAsOf> {
  const version = await versionInForce(subscription, date);
  if (!version) throw notFound(`A version of the policy in force on ${date}`);
  const { planId, coverageAmount, premium, currency, propertyAddress, holderPhone } = version;
  return {
    subscription,
    terms: { planId, coverageAmount, premium, currency, propertyAddress, holderPhone },
    version: { number: version.number, effectiveFrom: version.effectiveFrom },
  };
}

/** A renewal that re-rated the policy (docs/quotes.md, Binding): its new premium from its first day on. */
export interface RenewalPrice {
  premium: string;
  premiumBefore: string;
  /** 'YYYY-MM-DD': the end date of the term it renews. */
  firstDay: string;
}

/**
 * The version a re-rated renewal begins: the row's terms (already renewed) from the renewal's first
 * day, numbered after the latest. Written in the transaction of the renewal's own guarded row change,
 * so once per renewal.
 */
export async function recordRenewalVersion(
  row: Subscription,
  renewal: RenewalPrice,
  transaction: Transaction,
): Promise<SubscriptionVersion> {
  const latest = await SubscriptionVersion.max<number, SubscriptionVersion>('number', { where: { subscriptionId: row.id }, transaction });
  return SubscriptionVersion.create(
    {
      tenantId: row.tenantId,
      subscriptionId: row.id,
      number: (latest ?? 0) + 1,
      effectiveFrom: renewal.firstDay,
      planId: row.planId,
      coverageAmount: row.coverageAmount,
      premium: renewal.premium,
      currency: row.currency!,
      propertyAddress: row.propertyAddress,
      holderPhone: row.holderPhone,
      fieldChanges: { premium: { before: renewal.premiumBefore, after: renewal.premium } },
    },
    { transaction },
  );
}
