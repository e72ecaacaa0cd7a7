/**
 * The contract of the retention runs, shared by the workflow, its activities, the schedule that
 * starts them (src/services/retention-schedule.ts) and tests: what a run deletes and what it
 * answers. Runs are started by a Temporal Schedule, never by the API.
 */

export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';

/**
 * The schedule's ID, which is also the prefix of its runs' workflow IDs (the server appends the
 * scheduled time): `insurflow-retention` on the default task queue. One per task queue, so two
 * deployments sharing a namespace each clean their own database.
 */
export const retentionScheduleId = (taskQueue: string) => `${taskQueue}-retention`;

/** How long rows are kept once they are no longer needed, and how many one statement deletes. */
export interface RetentionInput {
  /** Idempotency records (with their stored responses) are kept this long after the request began. */
  idempotencyRecordHours: number;
  /** Delivered outbox messages are kept this long after delivery. */
  outboxDeliveredHours: number;
  /** Rows per DELETE statement; each statement commits on its own. */
  batchSize: number;
  /**
   * Webhook events (with their deliveries and attempts) are kept this many days, none of their
   * deliveries still pending; absent from schedules made before, which keep WEBHOOK_EVENT_DAYS_DEFAULT.
   */
  webhookEventDays?: number;
}

/** Rows deleted per table by one run. */
export interface RetentionCounts {
  idempotencyRecords: number;
  outboxMessages: number;
  refreshTokens: number;
  passwordResetTokens: number;
  /** Expired second-factor challenges and unfinished company sign-ins (0 in runs started before they were purged). */
  mfaChallenges: number;
  ssoLogins: number;
  /** Webhook events past their days, with their deliveries (0 in runs started before they were purged). */
  webhookEvents: number;
}

export type RetentionWorkflow = (input: RetentionInput) => Promise<RetentionCounts>;
