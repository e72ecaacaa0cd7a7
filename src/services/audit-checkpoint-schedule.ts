/**
 * The Temporal Schedule that runs the audit checkpoints (src/workflows/audit-checkpoint.ts) every
 * day: an interval of a day from the epoch falls on midnight UTC. Every worker makes sure of it at
 * start-up (src/services/schedules.ts).
 */
import type { Client } from '@temporalio/client';
import { AUDIT_CHECKPOINT_WORKFLOW_TYPE, auditCheckpointScheduleId, type AuditCheckpointWorkflow } from '../contracts/audit-checkpoint';
import { ensurePlatformSchedule } from './schedules';
import { DAY_MS } from '../shared/time';

/** Creates or updates the schedule; answers which it did. */
export function ensureAuditCheckpointSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensurePlatformSchedule<AuditCheckpointWorkflow>(client, {
    scheduleId: auditCheckpointScheduleId(taskQueue),
    intervalMs: DAY_MS,
    taskQueue,
    workflowType: AUDIT_CHECKPOINT_WORKFLOW_TYPE,
    args: [],
    status: 'checkpointing',
    summary: "Mails each audit hash chain's head as of midnight UTC to its admins",
  });
}
