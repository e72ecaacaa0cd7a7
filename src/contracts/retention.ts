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

/**
 * The daily deletion of erased people's kept records (docs/privacy.md, Deleting kept records when
 * they fall due): `<task queue>-kept-records-<scheduled time>`, started by the Schedule
 * `<task queue>-kept-records` at midnight UTC.
 */
export const KEPT_RECORDS_WORKFLOW_TYPE = 'keptRecordsWorkflow';
export const keptRecordsScheduleId = (taskQueue: string) => `${taskQueue}-kept-records`;

/** How much one run does: people per activity (each in their own transaction), and at most how many people in all. */
export interface KeptRecordsInput {
  peoplePerBatch: number;
  maxPeople: number;
}

/** What the schedule's runs are given. */
export const KEPT_RECORDS_INPUT: KeptRecordsInput = { peoplePerBatch: 50, maxPeople: 2000 };

/** One activity's share of a run: the next `limit` erasures due on `today` (YYYY-MM-DD, UTC) whose person is not held. */
export interface KeptRecordsBatch {
  today: string;
  limit: number;
}

/** What became of one erased person's kept rows in a run. */
export interface KeptRecordsOfPerson {
  erasureId: string;
  /** Rows deleted per table (dependants counted under their own table). */
  deleted: Record<string, number>;
  /** Groups due but not deleted, with why (a record still open, rows of others still referring to them, a legal hold). */
  waiting: Record<string, string>;
}

export interface KeptRecordsResult {
  /** The day the run counted as today. */
  today: string;
  /** People looked at; of them, people with rows deleted. */
  people: number;
  peopleDeleted: number;
  /** Rows deleted per table, over all people. */
  deleted: Record<string, number>;
  /** People with a group that had to wait (retried the next day). */
  waiting: number;
  /** Erasures due whose person is under a legal hold: skipped until the hold is released. */
  held: number;
  /** Erasures still due after the run (over `maxPeople`): the next run goes on. */
  remaining: number;
}

export type KeptRecordsWorkflow = (input: KeptRecordsInput) => Promise<KeptRecordsResult>;
