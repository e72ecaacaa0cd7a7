import type { BillingFrequency } from '../shared/instalments';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

export const COVERAGE_LEVELS = ['basic', 'standard', 'premium'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** The kinds of insurance a plan sells (seed 002); a subscription carries its plan's. */
export const POLICY_TYPES = ['auto', 'home', 'life', 'health', 'business', 'travel'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** An insurance plan of the catalog. Money columns are DECIMAL(12,2), read back as strings. Soft-deleted. */
export class Plan extends Model<InferAttributes<Plan>, InferCreationAttributes<Plan>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    Plan.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        categoryId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT },
        coverageLevel: { type: DataTypes.STRING(20), allowNull: false },
        policyType: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'home' },
        coverageAmount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        premium: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        durationMonths: { type: DataTypes.INTEGER, allowNull: false },
        billingFrequency: { type: DataTypes.STRING(12), allowNull: false, defaultValue: 'annual' },
        currency: { type: DataTypes.CHAR(3), allowNull: false, defaultValue: 'USD' },
        calendarId: { type: DataTypes.UUID, allowNull: true, defaultValue: null },
        isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
        deletedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'plans', underscored: true, paranoid: true },
    );
  }
}
