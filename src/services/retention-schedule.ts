/**
 * The Temporal Schedule that runs the retention workflow (src/workflows/retention.ts). Every
 * worker makes sure of it at start-up (src/services/schedules.ts).
 */
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { PLATFORM_TENANT_ID } from '../contracts/onboarding';
import { RETENTION_WORKFLOW_TYPE, retentionScheduleId, type RetentionWorkflow } from '../contracts/retention';
import { BusinessStatus, TenantId } from '../shared/search-attributes';
import { ensureSchedule, type ScheduleDefinition } from './schedules';

function scheduleDefinition(taskQueue: string, retention: Config['retention']): ScheduleDefinition<RetentionWorkflow> {
  const scheduleId = retentionScheduleId(taskQueue);
  return {
    spec: { intervals: [{ every: retention.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: RETENTION_WORKFLOW_TYPE,
      // The server appends the scheduled time, so every run has an ID of its own.
      workflowId: scheduleId,
      taskQueue,
      args: [
        {
          idempotencyRecordHours: retention.idempotencyRecordHours,
          outboxDeliveredHours: retention.outboxDeliveredHours,
          batchSize: retention.batchSize,
        },
      ],
      // Like every run, searchable by tenant: it belongs to none, so to the platform, as onboarding runs do.
      typedSearchAttributes: [
        { key: TenantId, value: PLATFORM_TENANT_ID },
        { key: BusinessStatus, value: 'purging' },
      ],
      staticSummary: 'Deletes expired idempotency records, delivered outbox messages, dead refresh token families and expired reset tokens',
    },
    policies: {
      // A run still purging a backlog makes the next one pointless; it would find nothing left.
      overlap: ScheduleOverlapPolicy.SKIP,
      // After an outage one run catches up; it deletes everything that expired meanwhile.
      catchupWindow: retention.intervalMs,
    },
  };
}

/** Creates or updates the schedule; answers which it did. */
export function ensureRetentionSchedule(client: Client, taskQueue: string, retention: Config['retention']): Promise<'created' | 'updated'> {
  return ensureSchedule(client, retentionScheduleId(taskQueue), scheduleDefinition(taskQueue, retention));
}
