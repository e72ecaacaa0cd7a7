import crypto from 'node:crypto';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { Role } from '../shared/roles';

export const POLICY_VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

/**
 * One text of a compliance policy. A draft is submitted for review (`policy-approval-<id>`), and
 * once a second compliance officer or tenant admin approved it, publishing it (once) starts the
 * rollout `policy-rollout-<id>` and retires the version published before it.
 */
export class PolicyVersion extends Model<InferAttributes<PolicyVersion>, InferCreationAttributes<PolicyVersion>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare policyId: string;
  /** 1, 2, 3… within the policy. */
  declare versionNumber: number;
  declare content: string;
  /** SHA-256 (hex) of the content, fixed when it is published (the content cannot change after that). */
  declare contentSha256: CreationOptional<string | null>;
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
  /** The attestation cycle now running: 1 from the publication, then one more at each recurrence. */
  declare cycle: CreationOptional<number>;
  /** When the current cycle started; null for cycle 1 (it started at publishedAt). */
  declare cycleStartedAt: CreationOptional<Date | null>;
  /** The last review round: who submitted it and when, when it lapses, who decided and why. */
  declare submittedAt: CreationOptional<Date | null>;
  declare submittedById: CreationOptional<string | null>;
  declare reviewDueAt: CreationOptional<Date | null>;
  declare reviewedAt: CreationOptional<Date | null>;
  declare reviewedById: CreationOptional<string | null>;
  /** Why the version went back to draft: the reviewer's reason, or that the review lapsed. */
  declare reviewNote: CreationOptional<string | null>;
  declare workflowId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** The SHA-256 (hex) of a version's text, as recorded at publication and with each acknowledgement. */
  static hashContent(content: string): string {
    return crypto.createHash('sha256').update(content, 'utf8').digest('hex');
  }

  static initModel(sequelize: Sequelize): void {
    PolicyVersion.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        policyId: { type: DataTypes.UUID, allowNull: false },
        versionNumber: { type: DataTypes.INTEGER, allowNull: false },
        content: { type: DataTypes.TEXT, allowNull: false },
        contentSha256: { type: DataTypes.STRING(64) },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'draft' },
        deadlineDays: { type: DataTypes.INTEGER },
        audienceRoles: { type: DataTypes.JSONB },
        createdById: { type: DataTypes.UUID, allowNull: false },
        publishedAt: { type: DataTypes.DATE },
        publishedById: { type: DataTypes.UUID },
        dueAt: { type: DataTypes.DATE },
        retiredAt: { type: DataTypes.DATE },
        cycle: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        cycleStartedAt: { type: DataTypes.DATE },
        submittedAt: { type: DataTypes.DATE },
        submittedById: { type: DataTypes.UUID },
        reviewDueAt: { type: DataTypes.DATE },
        reviewedAt: { type: DataTypes.DATE },
        reviewedById: { type: DataTypes.UUID },
        reviewNote: { type: DataTypes.STRING(1000) },
        workflowId: { type: DataTypes.STRING(200) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'policy_versions', underscored: true },
    );
  }
}
