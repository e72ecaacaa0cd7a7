/**
 * The contract of `drift-repair-<operationId>` runs: an operator's repair, in batch, of the rows
 * whose run the reconciler found gone (docs/operating.md, Repairing in batch). Its rows are fixed
 * when it is asked (one item each, with the operation's parameters: who asked, which repair, why);
 * the run repairs each when its turn comes, as the single repair would, in batches of one activity
 * each, and records the answer.
 */
import type { RunOwnerEntity } from './reconciler';
import type { BulkReassignInput, BulkReassignProgress } from './bulk-reassign';
import { workflowRun } from './workflow-run';

export const driftRepairRun = workflowRun('driftRepairWorkflow', 'drift-repair-');

/** `restore` gives a claim or an active subscription its run again; `close` closes a claim no one should work. */
export const DRIFT_REPAIR_ACTIONS = ['restore', 'close'] as const;
export type DriftRepairAction = (typeof DRIFT_REPAIR_ACTIONS)[number];

/** The rows each repair applies to; any other row of the batch is refused with the reason. */
export const REPAIRABLE_ENTITIES: Record<DriftRepairAction, readonly RunOwnerEntity[]> = {
  restore: ['claim', 'subscription'],
  close: ['claim'],
};

/** What a batch repair was asked to do, stored with the operation; the run reads it from there. */
export interface DriftRepairParameters {
  action: DriftRepairAction;
  reason: string;
}

/** Batches go as a bulk reassignment's do: the same input and counts. */
export type DriftRepairInput = BulkReassignInput;
export type DriftRepairProgress = BulkReassignProgress;

/** The run answers its final counts. Starts by name use it as their type argument. */
export type DriftRepairWorkflow = (input: DriftRepairInput) => Promise<DriftRepairProgress>;
