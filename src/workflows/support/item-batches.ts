/**
 * How a bulk operation's run walks its items (docs/bulk-operations.md): one activity per batch of
 * the items still pending, each handled and marked by the activity, the run's status published
 * after each batch, and a continue-as-new when the history grows. Shared by the bulk reassignment
 * and the operators' batch repair.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { BulkReassignProgress } from '../../contracts/bulk-reassign';
import { publishStatus } from './business-status';

/** What one batch did, as its activity answers. */
export interface ItemBatch {
  done: number;
  failed: number;
  /** No item is left pending. */
  finished: boolean;
}

export interface ItemBatches {
  /** Counts carried across continue-as-new. */
  progress?: BulkReassignProgress;
  /** The activity that handles the next batch. */
  next(): Promise<ItemBatch>;
  /** The run's business status while it works, and the details line of its counts. */
  working: string;
  details(progress: BulkReassignProgress): string;
  /** Continues as new with these counts (the workflow's own `continueAsNew`, typed by its signature). */
  continueAsNew(progress: BulkReassignProgress): Promise<never>;
}

export async function workItemBatches(batches: ItemBatches): Promise<BulkReassignProgress> {
  const progress: BulkReassignProgress = batches.progress ?? { done: 0, failed: 0, batches: 0 };
  for (;;) {
    if (workflowInfo().continueAsNewSuggested) await batches.continueAsNew(progress);
    const batch = await batches.next();
    progress.done += batch.done;
    progress.failed += batch.failed;
    progress.batches += 1;
    publishStatus({ status: batch.finished ? 'completed' : batches.working, details: batches.details(progress) });
    if (batch.finished) return progress;
  }
}
