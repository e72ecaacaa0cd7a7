/**
 * The Temporal Schedule that runs the reconciler (src/workflows/reconciler.ts), every
 * `RECONCILER_INTERVAL` (5 minutes by default). Every worker makes sure of it at start-up
 * (src/services/schedules.ts).
 */
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { PLATFORM_TENANT_ID } from '../contracts/onboarding';
import { RECONCILER_WORKFLOW_TYPE, reconcilerScheduleId, type ReconcilerWorkflow } from '../contracts/reconciler';
import { BusinessStatus, TenantId } from '../shared/search-attributes';
import { ensureSchedule, type ScheduleDefinition } from './schedules';

function scheduleDefinition(taskQueue: string, reconciler: Config['reconciler']): ScheduleDefinition<ReconcilerWorkflow> {
  return {
    spec: { intervals: [{ every: reconciler.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: RECONCILER_WORKFLOW_TYPE,
      // The server appends the scheduled time, so every run has an ID of its own.
      workflowId: reconcilerScheduleId(taskQueue),
      taskQueue,
      args: [{ batchSize: reconciler.batchSize, maxBatches: reconciler.maxBatches, graceSeconds: reconciler.graceSeconds }],
      // It belongs to no tenant, so to the platform, as the retention runs do.
      typedSearchAttributes: [
        { key: TenantId, value: PLATFORM_TENANT_ID },
        { key: BusinessStatus, value: 'reconciling' },
      ],
      staticSummary: 'Compares open rows with their runs: marks rows whose run closed or vanished, restarts lost starts, tells the admins',
    },
    policies: {
      // A run still checking makes the next one pointless: it would check the same rows.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: reconciler.intervalMs,
    },
  };
}

/** Creates or updates the schedule; answers which it did. */
export function ensureReconcilerSchedule(
  client: Client,
  taskQueue: string,
  reconciler: Config['reconciler'],
): Promise<'created' | 'updated'> {
  return ensureSchedule(client, reconcilerScheduleId(taskQueue), scheduleDefinition(taskQueue, reconciler));
}
