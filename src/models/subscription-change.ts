/**
 * A change of a policy during its term (docs/subscriptions.md, Policy changes): priced when a
 * person asks for it (`quoted`), confirmed and waiting for its effective date (`scheduled`),
 * carried out by the subscription's run (`applied`), given up before that (`withdrawn`), or found on
 * its effective date no longer to fit the policy, which had moved on since it was priced (`not_applied`).
 * Amounts are integer minor units of `currency`, as invoices' are.
 */
import { DataTypes } from 'sequelize';
import type { ChangeRefusal, PropertyAddress } from '../contracts/subscription';
import { bigintAsNumber, modelOf, optional, required, tenantRowColumns } from './columns';

export const SUBSCRIPTION_CHANGE_STATUSES = ['quoted', 'scheduled', 'applied', 'withdrawn', 'not_applied'] as const;
export type SubscriptionChangeStatus = (typeof SUBSCRIPTION_CHANGE_STATUSES)[number];

/** What a change asks for; a field absent stays as it is. The holder's contact is personal data (docs/privacy.md). */
export interface RequestedChange {
  planId?: string;
  propertyAddress?: PropertyAddress;
  holderPhone?: string;
}

/** An amount the change bills (positive) or credits (negative), due on a date. */
export interface ChangeInstalment {
  dueDate: string;
  amountMinor: number;
}

const subscriptionChangeColumns = () =>
  tenantRowColumns({
    subscriptionId: required.uuid(),
    status: required.string<SubscriptionChangeStatus>(20, { defaultValue: 'quoted' }),
    /** The renewal count of the term it was priced for: a quote from before a renewal is stale. */
    term: required.integer(),
    effectiveDate: required.dateOnly(),
    requested: required.json<RequestedChange>(),
    premiumBefore: required.amount(),
    premiumAfter: required.amount(),
    /** The sum insured a change of plan was quoted with (null: the plan's at carry-out, for changes quoted before it was kept). */
    coverageAfter: optional.amount(),
    premiumDeltaMinor: required<number>(DataTypes.BIGINT, bigintAsNumber('premiumDeltaMinor')),
    currency: required.char(3),
    instalments: required.json<ChangeInstalment[]>({ defaultValue: [] }),
    requestedById: required.uuid(),
    confirmedById: optional.uuid(),
    confirmedAt: optional.date(),
    appliedAt: optional.date(),
    withdrawnById: optional.uuid(),
    withdrawnAt: optional.date(),
    /** Why the run did not carry it out on its effective date (the policy had moved on since it was priced). */
    notAppliedReason: optional.string(500),
    /** The reason's facts, which the holder's mail words in their language (null for changes ended before 0091). */
    notAppliedRefusal: optional.json<ChangeRefusal>(),
    notAppliedAt: optional.date(),
  });

export class SubscriptionChange extends modelOf('subscription_changes', subscriptionChangeColumns) {}
