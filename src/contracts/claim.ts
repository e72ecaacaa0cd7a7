/**
 * The contract of `claim-<tenant slug>-<claimNumber>` runs, shared by the workflow, its rules and
 * activities, the models, the API and tests: the claim's stages, who works claims, the run's
 * input, state and outcome, its updates, signal and query, and how it is started. The rules a
 * move must pass live with the workflow (src/workflows/claim/transitions.ts and its neighbours).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../shared/roles';
import type { Actor } from './actor';
import type { ClaimPayment } from './claim-payments';
import type { ReserveLine } from './claim-reserves';
import type { TenantSettingsValues } from '../shared/tenant-settings';
import { workflowRun } from './workflow-run';

/**
 * `claim-<tenant slug>-<claim number>`: claim numbers repeat across tenants, so the tenant's
 * slug keeps the workflow ID unique while an operator can still find the run by number.
 */
export const claimRun = workflowRun('claimWorkflow', 'claim-', (tenantSlug: string, claimNumber: string) => `${tenantSlug}-${claimNumber}`);

export const CLAIM_STAGES = [
  'reported',
  'assigned',
  'under_review',
  'investigation',
  'documents_requested',
  'waiting_approval',
  'approved',
  'denied',
  'payment_processing',
  'paid',
  'closed',
] as const;
export type ClaimStage = (typeof CLAIM_STAGES)[number];

/** What a claim document shows (seed 002): set on upload, corrected later by `PATCH /documents/:id`. */
export const DOCUMENT_KINDS = ['photo', 'estimate', 'invoice', 'police_report', 'medical_report', 'other'] as const;

export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Stages in which a person still works on the claim, so it can be (re)assigned: those before a decision. */
export const OPEN_STAGES: ClaimStage[] = CLAIM_STAGES.slice(0, CLAIM_STAGES.indexOf('approved'));

/** The per-tenant durations and limits the claim process uses, fixed when the claim is filed. */
export type ClaimSettings = Pick<
  TenantSettingsValues,
  | 'claimUnassignedEscalationHours'
  | 'claimDocumentsReminderDays'
  | 'claimDocumentsEscalationDays'
  | 'claimDocumentsAutoDenyDays'
  | 'claimWaitingApprovalEscalationHours'
  | 'approvalLimitAdjuster'
  | 'approvalLimitSeniorAdjuster'
> &
  // Optional: runs filed before business time (docs/calendars.md) have no unit and count calendar time.
  Partial<
    Pick<
      TenantSettingsValues,
      'claimDocumentsDeadlineUnit' | 'claimEscalationUnit' | 'reserveAuthorityAdjuster' | 'reserveAuthoritySeniorAdjuster'
    >
  >;

/** One transition as the workflow keeps it and claim_history stores it. */
export interface ClaimHistoryEntry {
  sequence: number;
  from: ClaimStage | null;
  to: ClaimStage;
  /** Null when the workflow itself moved the claim (a deadline, the payment). */
  actorId: string | null;
  note: string | null;
  /** Workflow time (ISO), so history shows when it happened, not when it was written. */
  at: string;
}

export interface TransitionRequest {
  actor: Actor;
  to: ClaimStage;
  note?: string;
  /** Only when approving; defaults to the amount claimed. */
  approvedAmount?: number;
  /** Required when denying. */
  reason?: string;
}

export interface AssignmentRequest {
  actor: Actor;
  assigneeId: string;
  /** The assignee's role, looked up by the API in the tenant's users. */
  assigneeRole: Role;
  note?: string;
}

/**
 * A run that takes over a claim whose earlier run has ended: `reopened`, a closed claim opened
 * again (POST /claims/:id/reopen); `restored`, an open claim whose run an operator found gone and
 * gave a new one (POST /operations/drift/claims/:id/restore). It starts where the claim was left.
 */
export interface ClaimResumption {
  kind: 'reopened' | 'restored';
  /** Written by the API with the claim row: the new run's first entry, which its history goes on from. */
  entry: ClaimHistoryEntry;
  assigneeId: string | null;
  /** Everyone who ever asked for the claim's approval: still not a second person. */
  approvalRequestedBy: string[];
  /** Set when the claim resumes approved (its settlement still to be paid). */
  amountApproved: number | null;
  denialReason: string | null;
  /**
   * Reopened: the lines as they stood before the release at closing, which the run restores first.
   * Restored: the lines as recorded, which the run takes as they are.
   */
  reserves: ReserveLine[];
  /** Restored: the payments still on their way (requested, approved, issued), which the run goes on deciding. */
  payments: ClaimPayment[];
  /** What was paid on the claim and is done with (settlements, cleared payments). */
  amountPaid: number;
  /** Partial payments the claim had: the new run's references follow them. */
  paymentCount: number;
  /** The reference of this run's settlement: the one the claim's approval pays, once. */
  settlementReference: string;
}

export interface ClaimWorkflowInput {
  claimId: string;
  claimNumber: string;
  tenantId: string;
  claimantId: string;
  amountClaimed: number;
  filedById: string;
  /** ISO time of filing: the first history entry, written by the API with the claim. */
  filedAt: string;
  settings: ClaimSettings;
  /** Only on a run that takes over from an ended one. */
  resumption?: ClaimResumption;
}

export interface ClaimDeadline {
  at: string;
  action: 'unassigned_escalation' | 'documents_reminder' | 'documents_escalation' | 'documents_auto_deny' | 'approval_escalation';
}

export interface ClaimState {
  claimNumber: string;
  stage: ClaimStage;
  assigneeId: string | null;
  amountClaimed: number;
  amountApproved: number | null;
  denialReason: string | null;
  nextDeadline: ClaimDeadline | null;
  history: ClaimHistoryEntry[];
  /** The documents the run has been told of, each once, in order of arrival (at most MAX_DOCUMENTS_PER_CLAIM). */
  documentIds: string[];
}

/**
 * What an update answers: the state without the history and the documents, whose full copy in
 * every update result would make the run's event history grow with the square of its decisions
 * (claim_history, claim_documents and the `state` query have them).
 */
export type ClaimUpdateResult = Omit<ClaimState, 'history' | 'documentIds'> & { historyLength: number };

export interface DocumentUploaded {
  documentId: string;
  fileName: string;
  uploadedById: string;
}

export interface ClaimOutcome {
  claimNumber: string;
  outcome: 'paid' | 'denied';
  amountPaid: number | null;
  paymentReference: string | null;
}

/** Starts by name use it as their type argument. */
export type ClaimWorkflow = (input: ClaimWorkflowInput) => Promise<ClaimOutcome>;

export const assignClaimUpdate = defineUpdate<ClaimUpdateResult, [AssignmentRequest]>('assign');
export const transitionClaimUpdate = defineUpdate<ClaimUpdateResult, [TransitionRequest]>('transition');
export const documentUploadedSignal = defineSignal<[DocumentUploaded]>('documentUploaded');
export const claimStateQuery = defineQuery<ClaimState>('state');

/** Reason recorded when the claimant never sent the requested documents. */
export const DOCUMENTS_NOT_RECEIVED = 'documents_not_received';
