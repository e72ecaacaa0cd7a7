/**
 * An operator's batch repair of drifted rows: `drift-repair-<operationId>` (docs/operating.md,
 * Repairing in batch). The rows were fixed when it was asked (one item row each); the run walks the
 * pending ones in batches, one activity each, which repairs each row as the single repair would
 * and records whether it was repaired or refused, and why.
 */
import type { DriftRepairInput, DriftRepairProgress } from '../contracts/drift-repair';
import { workItemBatches } from './support/item-batches';

export async function driftRepairWorkflow(input: DriftRepairInput): Promise<DriftRepairProgress> {
  return workItemBatches(input, {
    // Each repair locks its row and checks it is still drifted, and each item is marked once handled: a retry repeats none.
    activity: 'repairDriftBatch',
    defaultBatchSize: 10,
    working: 'repairing',
    handled: 'repaired',
  });
}
