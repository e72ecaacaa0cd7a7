/**
 * The contract of `incident-retry-<operationId>` runs: an operator's "retry now", in batch, of
 * activities listed as incidents (docs/operating.md, Incidents). Its incidents are fixed when it is
 * asked (one item each); the run has each incident's activity tried again when its turn comes, as
 * the single retry does, in batches of one activity each, and records the answer.
 */
import type { BulkReassignInput, BulkReassignProgress } from './bulk-reassign';
import { workflowRun } from './workflow-run';

export const incidentRetryRun = workflowRun('incidentRetryWorkflow', 'incident-retry-');

/** What a batch retry records as asked besides its items: the role its operator asked with. */
export interface IncidentRetryParameters {
  requestedByRole: 'tenant_admin' | 'platform_admin';
}

/** Batches go as a bulk reassignment's do: the same input and counts. */
export type IncidentRetryInput = BulkReassignInput;
export type IncidentRetryProgress = BulkReassignProgress;

/** The run answers its final counts. Starts by name use it as their type argument. */
export type IncidentRetryWorkflow = (input: IncidentRetryInput) => Promise<IncidentRetryProgress>;
