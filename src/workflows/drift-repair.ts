/**
 * An operator's batch repair of drifted rows: `drift-repair-<operationId>` (docs/operating.md,
 * Repairing in batch). The rows were fixed when it was asked (one item row each); the run walks the
 * pending ones in batches, one activity each, which repairs each row as the single repair would
 * and records whether it was repaired or refused, and why.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DriftRepairInput, DriftRepairProgress } from '../contracts/drift-repair';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { workItemBatches } from './support/item-batches';

const DEFAULT_BATCH_SIZE = 10;

const { repairDriftBatch } = proxyActivities<Activities>({
  // Each repair locks its row and checks it is still drifted, and each item is marked once handled: a retry repeats none.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function driftRepairWorkflow(input: DriftRepairInput): Promise<DriftRepairProgress> {
  return workItemBatches(input, {
    batch: repairDriftBatch,
    defaultBatchSize: DEFAULT_BATCH_SIZE,
    working: 'repairing',
    handled: 'repaired',
    continueAsNew: (next) => continueAsNew<typeof driftRepairWorkflow>(next),
  });
}
