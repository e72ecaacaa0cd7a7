/**
 * The contract of the reconciler runs (docs/operating.md, Row and run): which rows have a run,
 * what a row's run may be found in, and what one run answers. Runs are started by a Temporal
 * Schedule (src/services/reconciler-schedule.ts), never by the API.
 */

export const RECONCILER_WORKFLOW_TYPE = 'reconcilerWorkflow';

/** The schedule's ID and the prefix of its runs' IDs, one per task queue like the retention schedule's. */
export const reconcilerScheduleId = (taskQueue: string) => `${taskQueue}-reconciler`;

/** The rows that own a run, by their audit entity type. */
export const RUN_OWNER_ENTITIES = ['claim', 'subscription', 'acknowledgement', 'registration'] as const;
export type RunOwnerEntity = (typeof RUN_OWNER_ENTITIES)[number];

/**
 * What the reconciler found of an open row's run: closed without closing the row (by an operator
 * or a failure), `completed` while the row stayed open, `missing` (no run under its workflow ID)
 * or `restarted` (missing, and started again from its outbox start). A row whose run is running
 * has no state (null).
 */
export const RUN_DRIFT_STATES = ['terminated', 'cancelled', 'failed', 'timed_out', 'completed', 'missing', 'restarted'] as const;
export type RunDriftState = (typeof RUN_DRIFT_STATES)[number];

export interface ReconcilerInput {
  /** Rows one activity checks (one describe per row). */
  batchSize: number;
  /** Batches per entity per run: the bound on one run's work; the least recently checked rows go first. */
  maxBatches: number;
  /** Rows younger than this are left alone: their outbox start may still be on its way. */
  graceSeconds: number;
}

/** One row the reconciler marked (or found marked and not yet told to its admins). */
export interface RunDriftFinding {
  entity: RunOwnerEntity;
  entityId: string;
  /** Null for a registration: its admins are the platform's. */
  tenantId: string | null;
  workflowId: string;
  rowStatus: string;
  runState: RunDriftState;
}

export interface ReconcilerBatchInput extends ReconcilerInput {
  entity: RunOwnerEntity;
  /** The run's start: rows checked since are not checked again by the same run. */
  checkedBefore: string;
}

export interface ReconcilerBatch {
  checked: number;
  /** Drifted rows whose admins have not been told yet. */
  untold: RunDriftFinding[];
}

/**
 * What the premium check found (docs/operating.md, Invoices and their runs): subscriptions whose
 * run still waits for a payment their invoices show was made (told again: `premiumPaid`), pending
 * card refunds whose run was missing (started again from its outbox start), and those whose run
 * closed without sending them (left to an operator, in the log and the metric).
 */
export interface PremiumCheckInput {
  /** Changes younger than this are left alone: their signal or start may still be on its way. */
  graceSeconds: number;
  /** Rows of each kind one run looks at, at most. */
  batchSize: number;
}

export interface PremiumCheck {
  paymentsResignalled: number;
  refundsRestarted: number;
  refundsStuck: number;
}

/**
 * One page of the open runs of the run-owning workflow types on the reconciler's task queue that
 * started before `startedBefore` (docs/failure-semantics.md, A run without its row). A run no
 * row names (a restore took the row away, or it was deleted) is terminated.
 */
export interface RunsWithoutRowInput {
  /** Runs listed per page. */
  batchSize: number;
  /** The run's start less the grace time: a run started since may still be writing its row. */
  startedBefore: string;
  /** The visibility page to list, base64; null for the first. */
  pageToken: string | null;
}

export interface RunsWithoutRowPage {
  /** Open runs listed on this page. */
  listed: number;
  /** Those terminated because no row names them. */
  ended: number;
  /** The next page's token, base64; null after the last page. */
  nextPageToken: string | null;
}

/** Rows checked, drifted rows told and runs without their row ended, per run (`runsEnded` is absent from runs recorded before it). */
export interface ReconcilerResult {
  checked: number;
  told: number;
  runsEnded?: number;
}

export type ReconcilerWorkflow = (input: ReconcilerInput) => Promise<ReconcilerResult>;

/** The notification key of a row's drift notice: one e-mail per row and run state, whatever retries or later runs do. */
export const runDriftNoticeKey = (finding: RunDriftFinding) => `run-drift:${finding.entity}:${finding.entityId}:${finding.runState}`;
