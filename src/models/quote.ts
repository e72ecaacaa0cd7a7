/**
 * A price for one risk on one plan (docs/quotes.md), valid until `validUntil`: `quoted` (may be
 * bound), `referred` (waiting for an underwriter's decision, run `quote-referral-<id>`),
 * `declined`, `lapsed` (nobody decided in time) or `bound` (a policy was issued from it). A quoted
 * one past its `validUntil` is answered `expired`. Amounts are integer minor units of `currency`.
 */
import { DataTypes } from 'sequelize';
import type { BreakdownLine, Risk } from '../contracts/quote';
import type { BillingFrequency } from '../shared/instalments';
import { bigintAsNumber, modelOf, optional, required, tenantRowColumns } from './columns';

export const QUOTE_STATUSES = ['quoted', 'referred', 'declined', 'lapsed', 'bound'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** An instalment of the quoted premium, by the plan's billing frequency. */
export interface QuoteInstalment {
  number: number;
  amountMinor: number;
}

const quoteColumns = () =>
  tenantRowColumns({
    planId: required.uuid(),
    ratingVersionId: optional.uuid(),
    /** Who asked for it; null: a visitor on the public catalog. */
    requestedById: optional.uuid(),
    /** The policyholder it is for: the requester when a policyholder asked (before migration 0117, filled in by 0119); null when staff or a visitor did. */
    policyholderId: optional.uuid(),
    status: required.string<QuoteStatus>(20),
    risk: required.json<Risk>(),
    currency: required.char(3),
    premiumMinor: required<number>(DataTypes.BIGINT, bigintAsNumber('premiumMinor')),
    breakdown: required.json<BreakdownLine[]>({ defaultValue: [] }),
    instalments: required.json<QuoteInstalment[]>({ defaultValue: [] }),
    /** The plan's terms its instalments were cut by, which binding holds the plan to; null: recorded before migration 0109. */
    billingFrequency: optional.string<BillingFrequency>(12),
    durationMonths: optional.integer(),
    referralReasons: required.json<string[]>({ defaultValue: [] }),
    loading: optional.decimal(6, 4),
    decisionNote: optional.string(2000),
    decidedById: optional.uuid(),
    decidedAt: optional.date(),
    referralDueAt: optional.date(),
    validUntil: required.date(),
    subscriptionId: optional.uuid(),
  });

export class Quote extends modelOf('quotes', quoteColumns) {}
