/**
 * A claims manager's bulk reassignment: `bulk-reassign-<operationId>` (docs/bulk-operations.md).
 *
 * The claims were fixed when it was asked (one item row each); the run walks the pending ones in
 * batches, one activity each, which sends every claim's run the assign Update and records whether
 * it was accepted or refused. Like "remind now" it continues as new when its history grows.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BulkReassignInput, BulkReassignProgress } from '../contracts/bulk-reassign';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { workItemBatches } from './support/item-batches';

const DEFAULT_BATCH_SIZE = 25;

const { reassignClaimBatch } = proxyActivities<Activities>({
  // Each item is one Update under its own ID and is marked once handled, so a retry repeats none.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function bulkReassignWorkflow(input: BulkReassignInput): Promise<BulkReassignProgress> {
  return workItemBatches(input, {
    batch: reassignClaimBatch,
    defaultBatchSize: DEFAULT_BATCH_SIZE,
    working: 'reassigning',
    handled: 'reassigned',
    continueAsNew: (next) => continueAsNew<typeof bulkReassignWorkflow>(next),
  });
}
