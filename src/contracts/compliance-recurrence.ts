/**
 * The contract of `compliance-recurrence-<policyId>` runs (docs/compliance.md, Recurring
 * attestation), shared by the workflow, its activities, the API and tests: the run's input, what it
 * reads of its policy, its signal and how it is started.
 */
import { defineSignal } from '@temporalio/workflow';
import { workflowRun } from './workflow-run';

export const complianceRecurrenceRun = workflowRun('complianceRecurrenceWorkflow', 'compliance-recurrence-');

export interface ComplianceRecurrenceInput {
  tenantId: string;
  policyId: string;
}

/**
 * What the run does next, as its policy now stands: `retired` ends it for good; `idle` waits for a
 * change (no recurrence set, nothing published); `recurring` names the current version and its
 * cycle, from which the run computes the next anniversary of the publication.
 */
export type RecurrencePlan =
  | { kind: 'retired' }
  | { kind: 'idle' }
  | { kind: 'recurring'; versionId: string; versionNumber: number; cycle: number; publishedAt: string; recurrenceDays: number };

/** The cycle to start: the version, the new cycle's number and when it starts (the anniversary). */
export interface CycleStart {
  tenantId: string;
  policyId: string;
  versionId: string;
  cycle: number;
  startsAt: string;
}

/** The run answers why it ended. Starts by name use it as their type argument. */
export type ComplianceRecurrenceWorkflow = (input: ComplianceRecurrenceInput) => Promise<'retired'>;

/**
 * Sent whenever the policy's recurrence may have changed (recurrenceDays set or cleared, a version
 * published, the policy retired): the run reads its policy again and re-bases its timer.
 */
export const recurrenceChangedSignal = defineSignal('recurrenceChanged');
