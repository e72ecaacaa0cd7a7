/**
 * The contract of `compliance-remind-<remindId>` runs ("remind now"), shared by the workflow, the
 * model, the API and tests: the recipients' statuses, the run's input and progress, its query and
 * how it is started.
 */
import { defineQuery } from '@temporalio/workflow';

export const COMPLIANCE_REMIND_WORKFLOW_TYPE = 'complianceRemindWorkflow';
/** What every remind run's workflow ID starts with (the access rules find a run's owner by it). */
export const COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX = 'compliance-remind-';
export const complianceRemindWorkflowId = (remindId: string) => `${COMPLIANCE_REMIND_WORKFLOW_ID_PREFIX}${remindId}`;

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
