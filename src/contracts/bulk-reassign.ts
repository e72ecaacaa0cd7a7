/**
 * The contract of `bulk-reassign-<operationId>` runs: a claims manager's reassignment of every
 * open claim of one handler to another (docs/bulk-operations.md). Its items are fixed when it is
 * asked (one row each, with the operation's parameters: who asked, from whom, to whom); the run
 * judges each claim when its turn comes, in batches of one activity each, as a single reassignment
 * is judged (the asker as the database has them then, the API's checks, the claim's validator),
 * and records the answer.
 */
import type { Role } from '../shared/roles';
import { workflowRun } from './workflow-run';

export const bulkReassignRun = workflowRun('bulkReassignWorkflow', 'bulk-reassign-');

/** An item waits (`pending`) for its turn, then the claim's run accepted the reassignment (`done`) or refused it (`failed`). */
export const BULK_ITEM_STATUSES = ['pending', 'done', 'failed'] as const;
export type BulkItemStatus = (typeof BULK_ITEM_STATUSES)[number];

/** What a bulk reassignment was asked to do, stored with the operation; the run reads it from there. */
export interface BulkReassignParameters {
  fromUserId: string;
  toUserId: string;
  /** The asker's role when they asked, for the record: each item is sent with the role they hold when it runs. */
  requestedByRole: Role;
}

export interface BulkReassignProgress {
  done: number;
  failed: number;
  batches: number;
}

export interface BulkReassignInput {
  tenantId: string;
  operationId: string;
  batchSize?: number;
  /** Carried across continue-as-new. */
  progress?: BulkReassignProgress;
}

/** The run answers its final counts. Starts by name use it as their type argument. */
export type BulkReassignWorkflow = (input: BulkReassignInput) => Promise<BulkReassignProgress>;
