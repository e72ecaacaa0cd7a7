/**
 * The contract of `policy-rollout-<versionId>` runs, shared by the workflow, the API and tests:
 * input, progress and its query, and how it is started.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowRun } from './workflow-run';

/** Cycle 1 is the publication's rollout; a recurring policy's later cycles roll out as `policy-rollout-<versionId>-cycle-<n>`. */
export const policyRolloutRun = workflowRun(
  'policyRolloutWorkflow',
  'policy-rollout-',
  (versionId: string, cycle = 1) => `${versionId}${cycle > 1 ? `-cycle-${cycle}` : ''}`,
);

export type RolloutPhase = 'ending_retired_runs' | 'creating_acknowledgements' | 'completed';

export interface RolloutProgress {
  phase: RolloutPhase;
  /** Last row handled by the current phase (employee id or acknowledgement id); null at its start. */
  cursor: string | null;
  retiredRunsEnded: number;
  acknowledgements: number;
  runsStarted: number;
  batches: number;
  runs: number;
}

export interface PolicyRolloutInput {
  tenantId: string;
  versionId: string;
  /** Versions retired by this publication, whose open acknowledgement runs end now. */
  retiredVersionIds: string[];
  /** The attestation cycle rolled out (docs/compliance.md, Recurring attestation); absent: 1, the publication. */
  cycle?: number;
  batchSize?: number;
  batchesPerRun?: number;
  /** Carried across continue-as-new. */
  progress?: RolloutProgress;
}

/** The run answers its final progress. Starts by name use it as their type argument. */
export type PolicyRolloutWorkflow = (input: PolicyRolloutInput) => Promise<RolloutProgress>;

export const rolloutProgressQuery = defineQuery<RolloutProgress>('progress');
