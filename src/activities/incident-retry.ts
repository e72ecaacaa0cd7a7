/**
 * The batches of an operator's batch retry of incidents (`incident-retry-<operationId>`,
 * docs/operating.md, Incidents): each takes the next pending incidents and has each one's activity
 * tried again as the single retry does, with the handler the worker hands in (`retryIncidentItem`);
 * a refusal is the item's reason and the batch goes on.
 */
import type { IncidentRetryDeps } from './deps';
import { handlePendingItems, type OperationBatchInput, type OperationBatchResult } from './operation-items';

export function createIncidentRetryActivities(deps: IncidentRetryDeps) {
  return {
    async retryIncidentBatch(input: OperationBatchInput): Promise<OperationBatchResult> {
      return handlePendingItems(input, deps.retryIncidentItem);
    },
  };
}
