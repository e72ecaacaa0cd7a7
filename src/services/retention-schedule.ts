/**
 * The Temporal Schedules that run the retention workflow (src/workflows/retention.ts) and, every
 * day at midnight UTC, the deletion of erased people's kept records (src/workflows/kept-records.ts).
 * Every worker makes sure of them at start-up (src/services/schedules.ts).
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import {
  KEPT_RECORDS_INPUT,
  KEPT_RECORDS_WORKFLOW_TYPE,
  keptRecordsScheduleId,
  RETENTION_WORKFLOW_TYPE,
  retentionScheduleId,
  type KeptRecordsWorkflow,
  type RetentionWorkflow,
} from '../contracts/retention';
import { ensurePlatformSchedule } from './schedules';
import { DAY_MS } from '../shared/time';

/** Creates or updates the schedule; answers which it did. */
export function ensureRetentionSchedule(client: Client, taskQueue: string, retention: Config['retention']): Promise<'created' | 'updated'> {
  return ensurePlatformSchedule<RetentionWorkflow>(client, {
    scheduleId: retentionScheduleId(taskQueue),
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
  });
}

/** Creates or updates the daily schedule of the kept records (an interval of a day from the epoch falls on midnight UTC). */
export function ensureKeptRecordsSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensurePlatformSchedule<KeptRecordsWorkflow>(client, {
    scheduleId: keptRecordsScheduleId(taskQueue),
    intervalMs: DAY_MS,
    taskQueue,
    workflowType: KEPT_RECORDS_WORKFLOW_TYPE,
    args: [KEPT_RECORDS_INPUT],
    status: 'deleting',
    summary: "Deletes erased people's kept records whose keepUntil day has come, unless a legal hold keeps them",
  });
}
