/**
 * The Temporal Schedule that runs the reconciler (src/workflows/reconciler.ts), every
 * `RECONCILER_INTERVAL` (5 minutes by default). Every worker makes sure of it at start-up
 * (src/services/schedules.ts).
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { RECONCILER_WORKFLOW_TYPE, reconcilerScheduleId, type ReconcilerWorkflow } from '../contracts/reconciler';
import { ensurePlatformSchedule } from './schedules';

/** Creates or updates the schedule; answers which it did. */
export function ensureReconcilerSchedule(
  client: Client,
  taskQueue: string,
  reconciler: Config['reconciler'],
): Promise<'created' | 'updated'> {
  return ensurePlatformSchedule<ReconcilerWorkflow>(client, {
    scheduleId: reconcilerScheduleId(taskQueue),
    intervalMs: reconciler.intervalMs,
    taskQueue,
    workflowType: RECONCILER_WORKFLOW_TYPE,
    args: [{ batchSize: reconciler.batchSize, maxBatches: reconciler.maxBatches, graceSeconds: reconciler.graceSeconds }],
    status: 'reconciling',
    summary: 'Compares open rows with their runs: marks rows whose run closed or vanished, restarts lost starts, tells the admins',
  });
}
