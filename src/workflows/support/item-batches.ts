/**
 * How a bulk operation's run walks its items (docs/bulk-operations.md): one activity per batch of
 * the items still pending, each handled and marked by the activity, the run's status published
 * after each batch, and a continue-as-new when the history grows. Shared by the bulk reassignment
 * and the operators' batch repair and batch retry, whose inputs and counts are the same: each of
 * those workflows says only which activity handles a batch and how its status reads.
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { BulkReassignInput, BulkReassignProgress, BulkReassignWorkflow } from '../../contracts/bulk-reassign';
import { BATCH_ACTIVITY_OPTIONS } from './activity-options';
import { publishStatus } from './business-status';

/**
 * The activities that handle the next `limit` pending items of an operation. Each marks an item
 * once handled, so a retried batch repeats none (each workflow says what else makes its items safe).
 */
const batchActivities = proxyActivities<Activities>(BATCH_ACTIVITY_OPTIONS);

export interface ItemBatches {
  /** The activity that handles a batch. */
  activity: 'reassignClaimBatch' | 'repairDriftBatch' | 'retryIncidentBatch';
  /** Items per batch when the input names none. */
  defaultBatchSize: number;
  /** The run's business status while it works. */
  working: string;
  /** What became of an item its activity carried out, for the details line ("12 reassigned, 1 refused"). */
  handled: string;
}

export async function workItemBatches(input: BulkReassignInput, batches: ItemBatches): Promise<BulkReassignProgress> {
  const progress: BulkReassignProgress = input.progress ?? { done: 0, failed: 0, batches: 0 };
  for (;;) {
    // The same workflow type again (the run's own), with what it has done so far.
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<BulkReassignWorkflow>({ ...input, progress });
    const batch = await batchActivities[batches.activity]({
      operationId: input.operationId,
      limit: input.batchSize ?? batches.defaultBatchSize,
    });
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
