import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { Role } from '../shared/roles';

export const POLICY_VERSION_STATUSES = ['draft', 'published', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

/**
 * One text of a compliance policy. A draft is edited by compliance officers; publishing it (once)
 * starts the rollout `policy-rollout-<id>` and retires the version published before it.
 */
export class PolicyVersion extends Model<InferAttributes<PolicyVersion>, InferCreationAttributes<PolicyVersion>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare policyId: string;
  /** 1, 2, 3… within the policy. */
  declare versionNumber: number;
  declare content: string;
  declare status: CreationOptional<PolicyVersionStatus>;
  /** Days employees have to acknowledge; null takes the tenant's acknowledgementDeadlineDays. */
  declare deadlineDays: CreationOptional<number | null>;
  /** Roles that must acknowledge; null means every staff member. */
  declare audienceRoles: CreationOptional<Role[] | null>;
  declare createdById: string;
  declare publishedAt: CreationOptional<Date | null>;
  declare publishedById: CreationOptional<string | null>;
  /** Due date of every acknowledgement of this version, fixed when it is published. */
  declare dueAt: CreationOptional<Date | null>;
  declare retiredAt: CreationOptional<Date | null>;
  declare workflowId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PolicyVersion.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        policyId: { type: DataTypes.UUID, allowNull: false },
        versionNumber: { type: DataTypes.INTEGER, allowNull: false },
        content: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'draft' },
        deadlineDays: { type: DataTypes.INTEGER },
        audienceRoles: { type: DataTypes.JSONB },
        createdById: { type: DataTypes.UUID, allowNull: false },
        publishedAt: { type: DataTypes.DATE },
        publishedById: { type: DataTypes.UUID },
        dueAt: { type: DataTypes.DATE },
        retiredAt: { type: DataTypes.DATE },
        workflowId: { type: DataTypes.STRING(200) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'policy_versions', underscored: true },
    );
  }
}
