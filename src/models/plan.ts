import type { BillingFrequency } from '../shared/instalments';
import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, optional, nullByDefault, tenantRowColumns, tableOptions } from './columns';

export const COVERAGE_LEVELS = ['basic', 'standard', 'premium'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** The kinds of insurance a plan sells (seed 002); a subscription carries its plan's. */
export const POLICY_TYPES = ['auto', 'home', 'life', 'health', 'business', 'travel'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** An insurance plan of the catalog. Money columns are DECIMAL(12,2), read back as strings. Soft-deleted. */
export class Plan extends TenantRow<Plan> {
  declare categoryId: string;
  declare name: string;
  declare description: CreationOptional<string | null>;
  declare coverageLevel: CoverageLevel;
  /** 'home' unless given: the catalog started as property insurance. */
  declare policyType: CreationOptional<PolicyType>;
  declare coverageAmount: string;
  declare premium: string;
  declare durationMonths: number;
  /** How the premium of a term is cut into instalments (docs/premiums.md). */
  declare billingFrequency: CreationOptional<BillingFrequency>;
  /** ISO 4217; the tenant's default currency unless given. */
  declare currency: CreationOptional<string>;
  /** The business calendar its claims count business deadlines in; null: the tenant's default (docs/calendars.md). */
  declare calendarId: CreationOptional<string | null>;
  declare isActive: CreationOptional<boolean>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    Plan.init(
      {
        ...tenantRowColumns({
          categoryId: required.uuid(),
          name: required.string(200),
          description: optional.text(),
          coverageLevel: required.string(20),
          policyType: required.string(20, { defaultValue: 'home' }),
          coverageAmount: required(DataTypes.DECIMAL(12, 2)),
          premium: required(DataTypes.DECIMAL(12, 2)),
          durationMonths: required.integer(),
          billingFrequency: required.string(12, { defaultValue: 'annual' }),
          currency: required(DataTypes.CHAR(3), { defaultValue: 'USD' }),
          calendarId: nullByDefault(DataTypes.UUID),
          isActive: required(DataTypes.BOOLEAN, { defaultValue: true }),
        }),
        deletedAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'plans', { paranoid: true }),
    );
  }
}
