/**
 * An operator's "retry now" of many incidents: `incident-retry-<operationId>` (docs/operating.md,
 * Incidents). The incidents were fixed when it was asked (one item row each); the run walks the
 * pending ones in batches, one activity each, which has each incident's activity tried again as
 * the single retry does and records whether it was retried or refused, and why.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IncidentRetryInput, IncidentRetryProgress } from '../contracts/incident-retry';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { workItemBatches } from './support/item-batches';

const DEFAULT_BATCH_SIZE = 10;

const { retryIncidentBatch } = proxyActivities<Activities>({
  // Each item is marked once answered and each retry is recorded with this run: a retry of the batch retries nothing twice.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function incidentRetryWorkflow(input: IncidentRetryInput): Promise<IncidentRetryProgress> {
  return workItemBatches(input, {
    batch: retryIncidentBatch,
    defaultBatchSize: DEFAULT_BATCH_SIZE,
    working: 'retrying',
    handled: 'retried',
    continueAsNew: (next) => continueAsNew<typeof incidentRetryWorkflow>(next),
  });
}
