/**
 * The contract of `policy-approval-<versionId>` runs, shared by the workflow, its activities, the
 * API and tests: input, decision updates, state query, outcomes, and how it is started.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../shared/roles';
import { workflowRun } from './workflow-run';

export const policyApprovalRun = workflowRun('policyApprovalWorkflow', 'policy-approval-');

export interface PolicyApprovalInput {
  tenantId: string;
  versionId: string;
  authorId: string;
  submittedById: string;
  /** ISO timestamp of the submission; the reminder and the lapse are counted from it. */
  submittedAt: string;
  /** ISO timestamp at which the review lapses back to draft. */
  reviewDueAt: string;
  reminderAfterDays: number;
  lapseAfterDays: number;
}

/** `not_draft`: the version was no longer a draft when the run came to record the submission. */
export type PolicyReviewStatus = 'in_review' | 'approved' | 'rejected' | 'lapsed' | 'not_draft';

/** The run answers how the review ended. Starts by name use it as their type argument. */
export type PolicyApprovalWorkflow = (input: PolicyApprovalInput) => Promise<PolicyReviewStatus>;

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
/** Answers once the run has recorded the version as in review (or refuses: it is not a draft). */
export const submissionRecordedUpdate = defineUpdate<PolicyApprovalState>('submissionRecorded');
/** Both answer once the decision is recorded in PostgreSQL, so a read right after sees it. */
export const approvePolicyVersionUpdate = defineUpdate<PolicyApprovalState, [PolicyReviewer]>('approve');
export const rejectPolicyVersionUpdate = defineUpdate<PolicyApprovalState, [RejectPolicyVersionInput]>('reject');
