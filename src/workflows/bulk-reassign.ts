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
import { workItemBatches } from './support/item-batches';

const DEFAULT_BATCH_SIZE = 25;

const { reassignClaimBatch } = proxyActivities<Activities>({
  // Each item is one Update under its own ID and is marked once handled, so a retry repeats none.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function bulkReassignWorkflow(input: BulkReassignInput): Promise<BulkReassignProgress> {
  return workItemBatches({
    progress: input.progress,
    next: () => reassignClaimBatch({ operationId: input.operationId, limit: input.batchSize ?? DEFAULT_BATCH_SIZE }),
    working: 'reassigning',
    details: ({ done, failed }) => `${done} reassigned, ${failed} refused`,
    continueAsNew: (progress) => continueAsNew<typeof bulkReassignWorkflow>({ ...input, progress }),
  });
}
