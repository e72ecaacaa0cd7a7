import type { BillingFrequency } from '../shared/instalments';
import { coverAndPremiumAsWritten } from '../shared/money';
import { modelOf, required, optional, nullByDefault, tenantRowColumns } from './columns';

export const COVERAGE_LEVELS = ['basic', 'standard', 'premium'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** The kinds of insurance a plan sells (seed 002); a subscription carries its plan's. */
export const POLICY_TYPES = ['auto', 'home', 'life', 'health', 'business', 'travel'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

const planColumns = () => ({
  ...tenantRowColumns({
    categoryId: required.uuid(),
    name: required.string(200),
    description: optional.text(),
    coverageLevel: required.string<CoverageLevel>(20),
    /** 'home' unless given: the catalog started as property insurance. */
    policyType: required.string<PolicyType>(20, { defaultValue: 'home' }),
    coverageAmount: required.decimal(12, 2),
    premium: required.decimal(12, 2),
    durationMonths: required.integer(),
    /** How the premium of a term is cut into instalments (docs/premiums.md). */
    billingFrequency: required.string<BillingFrequency>(12, { defaultValue: 'annual' }),
    /** ISO 4217; the tenant's default currency unless given. */
    currency: required.char(3, { defaultValue: 'USD' }),
    /** The business calendar its claims count business deadlines in; null: the tenant's default (docs/calendars.md). */
    calendarId: nullByDefault.uuid(),
    isActive: required.boolean({ defaultValue: true }),
  }),
  deletedAt: optional.date(),
});

/** An insurance plan of the catalog. Money columns are DECIMAL(12,2), read back as strings. Soft-deleted. */
export class Plan extends modelOf('plans', planColumns, { paranoid: true }) {
  /** As answers write it (docs/api.md, Money): its cover and premium with its currency's decimals (the row keeps two in any). */
  override toJSON(): object {
    return coverAndPremiumAsWritten(this.get());
  }
}
