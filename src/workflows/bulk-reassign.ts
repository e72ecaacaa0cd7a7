/**
 * A claims manager's bulk reassignment: `bulk-reassign-<operationId>` (docs/bulk-operations.md).
 *
 * The claims were fixed when it was asked (one item row each); the run walks the pending ones in
 * batches, one activity each, which sends every claim's run the assign Update and records whether
 * it was accepted or refused. Like "remind now" it continues as new when its history grows.
 */
import type { BulkReassignInput, BulkReassignProgress } from '../contracts/bulk-reassign';
import { workItemBatches } from './support/item-batches';

export async function bulkReassignWorkflow(input: BulkReassignInput): Promise<BulkReassignProgress> {
  return workItemBatches(input, {
    // Each item is one Update under its own ID and is marked once handled, so a retry repeats none.
    activity: 'reassignClaimBatch',
    defaultBatchSize: 25,
    working: 'reassigning',
    handled: 'reassigned',
  });
}
