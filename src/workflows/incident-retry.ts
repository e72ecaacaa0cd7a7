/**
 * An operator's "retry now" of many incidents: `incident-retry-<operationId>` (docs/operating.md,
 * Incidents). The incidents were fixed when it was asked (one item row each); the run walks the
 * pending ones in batches, one activity each, which has each incident's activity tried again as
 * the single retry does and records whether it was retried or refused, and why.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IncidentRetryInput, IncidentRetryProgress } from '../contracts/incident-retry';
import { workItemBatches } from './support/item-batches';

const DEFAULT_BATCH_SIZE = 10;

const { retryIncidentBatch } = proxyActivities<Activities>({
  // Each item is marked once answered and each retry is recorded with this run: a retry of the batch retries nothing twice.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function incidentRetryWorkflow(input: IncidentRetryInput): Promise<IncidentRetryProgress> {
  return workItemBatches({
    progress: input.progress,
    next: () => retryIncidentBatch({ operationId: input.operationId, limit: input.batchSize ?? DEFAULT_BATCH_SIZE }),
    working: 'retrying',
    details: ({ done, failed }) => `${done} retried, ${failed} refused`,
    continueAsNew: (progress) => continueAsNew<typeof incidentRetryWorkflow>({ ...input, progress }),
  });
}
