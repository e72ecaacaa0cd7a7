/**
 * The contract of `policy-approval-<versionId>` runs, shared by the workflow, its activities, the
 * API and tests: input, decision updates, state query, outcomes.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../shared/roles';

export const policyApprovalWorkflowId = (versionId: string) => `policy-approval-${versionId}`;

/** Who may review a version: never its author nor whoever submitted it (four eyes). */
export const POLICY_REVIEWER_ROLES: Role[] = ['compliance_officer', 'tenant_admin'];

export interface PolicyApprovalInput {
  tenantId: string;
  versionId: string;
  authorId: string;
  submittedById: string;
  /** ISO timestamp of the submission; the reminder and the lapse are counted from it. */
  submittedAt: string;
  reminderAfterDays: number;
  lapseAfterDays: number;
}

export type PolicyReviewStatus = 'in_review' | 'approved' | 'rejected' | 'lapsed';

export interface PolicyReviewer {
  userId: string;
  role: Role;
}

export interface RejectPolicyVersionInput extends PolicyReviewer {
  reason: string;
}

export interface PolicyApprovalState {
  status: PolicyReviewStatus;
  reviewerId: string | null;
}

/** The review e-mails, one per step of the run. */
export type PolicyReviewMessage = 'submitted' | 'reminder' | 'approved' | 'rejected' | 'lapsed';

export const policyApprovalStateQuery = defineQuery<PolicyApprovalState>('state');
/** Both answer once the decision is recorded in PostgreSQL, so a read right after sees it. */
export const approvePolicyVersionUpdate = defineUpdate<PolicyApprovalState, [PolicyReviewer]>('approve');
export const rejectPolicyVersionUpdate = defineUpdate<PolicyApprovalState, [RejectPolicyVersionInput]>('reject');
