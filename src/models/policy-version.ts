import crypto from 'node:crypto';
import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { Role } from '../shared/roles';

export const POLICY_VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

const policyVersionColumns = () =>
  tenantRowColumns({
    policyId: required.uuid(),
    /** 1, 2, 3… within the policy. */
    versionNumber: required.integer(),
    content: required.text(),
    /** SHA-256 (hex) of the content, fixed when it is published (the content cannot change after that). */
    contentSha256: optional.string(64),
    status: required.string<PolicyVersionStatus>(20, { defaultValue: 'draft' }),
    /** Days employees have to acknowledge; null takes the tenant's acknowledgementDeadlineDays. */
    deadlineDays: optional.integer(),
    /** Roles that must acknowledge; null means every staff member. */
    audienceRoles: optional.json<Role[]>(),
    createdById: required.uuid(),
    publishedAt: optional.date(),
    publishedById: optional.uuid(),
    /** Due date of every acknowledgement of this version, fixed when it is published. */
    dueAt: optional.date(),
    retiredAt: optional.date(),
    /** The attestation cycle now running: 1 from the publication, then one more at each recurrence. */
    cycle: required.integer({ defaultValue: 1 }),
    /** When the current cycle started; null for cycle 1 (it started at publishedAt). */
    cycleStartedAt: optional.date(),
    /** The last review round: who submitted it and when, when it lapses, who decided and why. */
    submittedAt: optional.date(),
    submittedById: optional.uuid(),
    reviewDueAt: optional.date(),
    reviewedAt: optional.date(),
    reviewedById: optional.uuid(),
    /** Why the version went back to draft: the reviewer's reason, or that the review lapsed. */
    reviewNote: optional.string(1000),
    workflowId: optional.string(200),
  });

/**
 * One text of a compliance policy. A draft is submitted for review (`policy-approval-<id>`), and
 * once a second compliance officer or tenant admin approved it, publishing it (once) starts the
 * rollout `policy-rollout-<id>` and retires the version published before it.
 */
export class PolicyVersion extends modelOf('policy_versions', policyVersionColumns) {
  /** The SHA-256 (hex) of a version's text, as recorded at publication and with each acknowledgement. */
  static hashContent(content: string): string {
    return crypto.createHash('sha256').update(content, 'utf8').digest('hex');
  }
}
