/**
 * The Temporal Schedule that runs the retention workflow (src/workflows/retention.ts). Every
 * worker makes sure of it at start-up (src/services/schedules.ts).
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { RETENTION_WORKFLOW_TYPE, retentionScheduleId, type RetentionWorkflow } from '../contracts/retention';
import { ensureSchedule, platformIntervalSchedule } from './schedules';

/** Creates or updates the schedule; answers which it did. */
export function ensureRetentionSchedule(client: Client, taskQueue: string, retention: Config['retention']): Promise<'created' | 'updated'> {
  const scheduleId = retentionScheduleId(taskQueue);
  return ensureSchedule(
    client,
    scheduleId,
    platformIntervalSchedule<RetentionWorkflow>({
      scheduleId,
      intervalMs: retention.intervalMs,
      taskQueue,
      workflowType: RETENTION_WORKFLOW_TYPE,
      args: [
        {
          idempotencyRecordHours: retention.idempotencyRecordHours,
          outboxDeliveredHours: retention.outboxDeliveredHours,
          batchSize: retention.batchSize,
          webhookEventDays: retention.webhookEventDays,
        },
      ],
      status: 'purging',
      summary:
        'Deletes expired idempotency records, delivered outbox messages, dead refresh token families, expired reset tokens and old webhook events',
    }),
  );
}
