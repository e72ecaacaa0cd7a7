/**
 * The contract of `compliance-remind-<remindId>` runs ("remind now"), shared by the workflow, the
 * model, the API and tests: the recipients' statuses, the run's input and progress, its query and
 * how it is started.
 */
import { defineQuery } from '@temporalio/workflow';
import { workflowRun } from './workflow-run';

export const complianceRemindRun = workflowRun('complianceRemindWorkflow', 'compliance-remind-');

/** `skipped`: the acknowledgement was closed (acknowledged, superseded…) before its turn came. */
export const REMIND_RECIPIENT_STATUSES = ['pending', 'sent', 'skipped'] as const;
export type RemindRecipientStatus = (typeof REMIND_RECIPIENT_STATUSES)[number];

export interface RemindProgress {
  sent: number;
  skipped: number;
  batches: number;
  runs: number;
}

export interface ComplianceRemindInput {
  tenantId: string;
  remindId: string;
  batchSize?: number;
  batchesPerRun?: number;
  /** Carried across continue-as-new. */
  progress?: RemindProgress;
}

/** The run answers its final progress. Starts by name use it as their type argument. */
export type ComplianceRemindWorkflow = (input: ComplianceRemindInput) => Promise<RemindProgress>;

export const remindProgressQuery = defineQuery<RemindProgress>('progress');
