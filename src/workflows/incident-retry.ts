/**
 * An operator's "retry now" of many incidents: `incident-retry-<operationId>` (docs/operating.md,
 * Incidents). The incidents were fixed when it was asked (one item row each); the run walks the
 * pending ones in batches, one activity each, which has each incident's activity tried again as
 * the single retry does and records whether it was retried or refused, and why.
 */
import type { IncidentRetryInput, IncidentRetryProgress } from '../contracts/incident-retry';
import { workItemBatches } from './support/item-batches';

export async function incidentRetryWorkflow(input: IncidentRetryInput): Promise<IncidentRetryProgress> {
  return workItemBatches(input, {
    // Each item is marked once answered and each retry is recorded with this run: a retry of the batch retries nothing twice.
    activity: 'retryIncidentBatch',
    defaultBatchSize: 10,
    working: 'retrying',
    handled: 'retried',
  });
}
