/**
 * How a bulk operation's run walks its items (docs/bulk-operations.md): one activity per batch of
 * the items still pending, each handled and marked by the activity, the run's status published
 * after each batch, and a continue-as-new when the history grows. Shared by the bulk reassignment
 * and the operators' batch repair and batch retry, whose inputs and counts are the same.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { BulkReassignInput, BulkReassignProgress } from '../../contracts/bulk-reassign';
import { publishStatus } from './business-status';

/** What one batch did, as its activity answers. */
export interface ItemBatch {
  done: number;
  failed: number;
  /** No item is left pending. */
  finished: boolean;
}

export interface ItemBatches {
  /** The activity that handles the next `limit` pending items of the operation. */
  batch(next: { operationId: string; limit: number }): Promise<ItemBatch>;
  /** Items per batch when the input names none. */
  defaultBatchSize: number;
  /** The run's business status while it works. */
  working: string;
  /** What became of an item its activity carried out, for the details line ("12 reassigned, 1 refused"). */
  handled: string;
  /** Continues as new with this input (the workflow's own `continueAsNew`, typed by its signature). */
  continueAsNew(input: BulkReassignInput): Promise<never>;
}

export async function workItemBatches(input: BulkReassignInput, batches: ItemBatches): Promise<BulkReassignProgress> {
  const progress: BulkReassignProgress = input.progress ?? { done: 0, failed: 0, batches: 0 };
  for (;;) {
    if (workflowInfo().continueAsNewSuggested) await batches.continueAsNew({ ...input, progress });
    const batch = await batches.batch({ operationId: input.operationId, limit: input.batchSize ?? batches.defaultBatchSize });
    progress.done += batch.done;
    progress.failed += batch.failed;
    progress.batches += 1;
    publishStatus({
      status: batch.finished ? 'completed' : batches.working,
      details: `${progress.done} ${batches.handled}, ${progress.failed} refused`,
    });
    if (batch.finished) return progress;
  }
}
