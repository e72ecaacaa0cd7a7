/**
 * The contract of `ack-<acknowledgementId>` runs, shared by the workflow, the rollout's
 * activities, the model, the API and tests: the acknowledgement's statuses, the run's input and
 * outcome, its update and signal, and how it is started.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';

export const ACKNOWLEDGEMENT_WORKFLOW_TYPE = 'acknowledgementWorkflow';
/** What every acknowledgement run's workflow ID starts with (the access policy finds a run's owner by it). */
export const ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX = 'ack-';
export const acknowledgementWorkflowId = (acknowledgementId: string) => `${ACKNOWLEDGEMENT_WORKFLOW_ID_PREFIX}${acknowledgementId}`;

/**
 * `superseded`: the version was retired by a newer one before this employee acknowledged it;
 * the run ended and the newer version's own acknowledgement takes over.
 */
export const ACKNOWLEDGEMENT_STATUSES = ['pending', 'acknowledged', 'overdue', 'escalated', 'superseded'] as const;
export type AcknowledgementStatus = (typeof ACKNOWLEDGEMENT_STATUSES)[number];
/** Statuses whose `ack-<id>` run is still open. */
export const OPEN_ACKNOWLEDGEMENT_STATUSES: AcknowledgementStatus[] = ['pending', 'overdue', 'escalated'];

export interface AcknowledgementInput {
  tenantId: string;
  acknowledgementId: string;
  employeeId: string;
  /** ISO timestamp; every timer is derived from it. */
  dueAt: string;
  reminderDaysBefore: number;
  graceDays: number;
}

export interface AcknowledgeRequest {
  userId: string;
}

export interface AcknowledgementOutcome {
  status: 'acknowledged' | 'superseded';
  acknowledgedAt: string | null;
}

/** Starts by name use it as their type argument. */
export type AcknowledgementWorkflow = (input: AcknowledgementInput) => Promise<AcknowledgementOutcome>;

export const acknowledgeUpdate = defineUpdate<AcknowledgementOutcome, [AcknowledgeRequest]>('acknowledge');
/** Sent when a newer version of the policy is published: the run ends as superseded. */
export const versionRetiredSignal = defineSignal('versionRetired');
