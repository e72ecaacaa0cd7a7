import crypto from 'node:crypto';
import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import type { Role } from '../shared/roles';

export const POLICY_VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

/**
 * One text of a compliance policy. A draft is submitted for review (`policy-approval-<id>`), and
 * once a second compliance officer or tenant admin approved it, publishing it (once) starts the
 * rollout `policy-rollout-<id>` and retires the version published before it.
 */
export class PolicyVersion extends TenantRow<PolicyVersion> {
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

  /** The SHA-256 (hex) of a version's text, as recorded at publication and with each acknowledgement. */
  static hashContent(content: string): string {
    return crypto.createHash('sha256').update(content, 'utf8').digest('hex');
  }

  static initModel(sequelize: Sequelize): void {
    PolicyVersion.init(
      tenantRowColumns({
        policyId: required.uuid(),
        versionNumber: required.integer(),
        content: required.text(),
        contentSha256: optional.string(64),
        status: required.string(20, { defaultValue: 'draft' }),
        deadlineDays: optional.integer(),
        audienceRoles: optional.json(),
        createdById: required.uuid(),
        publishedAt: optional.date(),
        publishedById: optional.uuid(),
        dueAt: optional.date(),
        retiredAt: optional.date(),
        cycle: required.integer({ defaultValue: 1 }),
        cycleStartedAt: optional.date(),
        submittedAt: optional.date(),
        submittedById: optional.uuid(),
        reviewDueAt: optional.date(),
        reviewedAt: optional.date(),
        reviewedById: optional.uuid(),
        reviewNote: optional.string(1000),
        workflowId: optional.string(200),
      }),
      tableOptions(sequelize, 'policy_versions'),
    );
  }
}
