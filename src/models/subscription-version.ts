/**
 * A version of a policy: its terms from `effectiveFrom` on (docs/subscriptions.md, Versions).
 * Version 1 is the policy as issued, written by the database when the subscription is first dated
 * (trigger `subscriptions_first_version`, migration 0075); each applied change adds the next.
 * Effective dates never go back as numbers go up, so the version in force on a day is the highest
 * number effective on or before it (`versionInForce`).
 */
import { DataTypes, Op, type Transaction } from 'sequelize';
import type { PropertyAddress } from '../contracts/subscription';
import { bigintAsNumber, createdAtColumn, idColumn, modelOf, optional, required, tenantColumn } from './columns';

/** What a change moved, field by field. */
export type ChangedFields = Record<string, { before: unknown; after: unknown }>;

const subscriptionVersionColumns = () => ({
  ...idColumn(),
  ...tenantColumn(),
  subscriptionId: required.uuid(),
  number: required.integer(),
  effectiveFrom: required.dateOnly(),
  planId: required.uuid(),
  coverageAmount: required.amount(),
  premium: required.amount(),
  currency: required.char(3),
  propertyAddress: optional.json<PropertyAddress>(),
  holderPhone: optional.string(16),
  /** The change that made it; null for version 1. */
  changeId: optional.uuid(),
  /** Not `changed`: Sequelize's instances have a `changed()` of their own. */
  fieldChanges: required.json<ChangedFields>({ defaultValue: {} }),
  premiumDeltaMinor: required<number>(DataTypes.BIGINT, { ...bigintAsNumber('premiumDeltaMinor'), defaultValue: 0 }),
  changedById: optional.uuid(),
  // The table has no updatedAt: a version is never changed.
  ...createdAtColumn(),
});

export class SubscriptionVersion extends modelOf('subscription_versions', subscriptionVersionColumns, { updatedAt: false }) {
  /** The version in force on `date` ('YYYY-MM-DD'); null before the policy's first day. */
  static versionInForce(subscriptionId: string, date: string, transaction?: Transaction): Promise<SubscriptionVersion | null> {
    return SubscriptionVersion.findOne({
      where: { subscriptionId, effectiveFrom: { [Op.lte]: date } },
      order: [['number', 'DESC']],
      transaction,
    });
  }
}
