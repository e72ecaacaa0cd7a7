/**
 * The Temporal Schedule that runs the retention workflow (src/workflows/retention.ts). Every
 * worker makes sure of it at start-up: it creates the schedule when it is missing and otherwise
 * brings its spec, action and policies to this worker's configuration, leaving its state (paused
 * by an operator, its note) as it is. Two workers starting together are fine: one creates it, the
 * other finds it there (ScheduleAlreadyRunning) and updates it to the same values.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Config } from '../config';
import { PLATFORM_TENANT_ID } from '../contracts/onboarding';
import { RETENTION_WORKFLOW_TYPE, retentionScheduleId, type RetentionWorkflow } from '../contracts/retention';
import { BusinessStatus, TenantId } from '../shared/search-attributes';

function scheduleDefinition(
  taskQueue: string,
  retention: Config['retention'],
): Pick<ScheduleOptions<ScheduleOptionsStartWorkflowAction<RetentionWorkflow>>, 'spec' | 'action' | 'policies'> {
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
export async function ensureRetentionSchedule(
  client: Client,
  taskQueue: string,
  retention: Config['retention'],
): Promise<'created' | 'updated'> {
  const scheduleId = retentionScheduleId(taskQueue);
  const definition = scheduleDefinition(taskQueue, retention);
  try {
    await client.schedule.create({ scheduleId, ...definition });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<RetentionWorkflow>((current) => ({ ...current, ...definition }));
  return 'updated';
}
