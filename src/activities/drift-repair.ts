/**
 * The batches of an operator's batch repair (`drift-repair-<operationId>`, docs/operating.md,
 * Repairing in batch): each takes the next pending rows and repairs each with the single repair's
 * command, handed in by the worker (`repairDriftedRow`), which locks the row, checks it is still
 * drifted and audits the repair; a refusal is the item's reason and the batch goes on.
 */
import type { DriftRepairDeps } from './deps';
import { handlePendingItems, type OperationBatchInput, type OperationBatchResult } from './operation-items';

export function createDriftRepairActivities(deps: DriftRepairDeps) {
  return {
    async repairDriftBatch(input: OperationBatchInput): Promise<OperationBatchResult> {
      return handlePendingItems(input, deps.repairDriftedRow);
    },
  };
}
