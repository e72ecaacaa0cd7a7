/**
 * Activities of the reconciler runs (docs/operating.md, Row and run): one batch of open rows of
 * one table compared with their runs, and the drift metric.
 *
 * A batch takes the open rows least recently checked (older than the grace time, not yet checked
 * by this run), stamps them checked, and describes each row's run: one RPC per row, at most
 * `batchSize` of them. A row whose run state changed is marked in one conditional UPDATE with its
 * audit event in the same transaction, so a retried batch marks and records nothing twice. A row
 * whose run is missing is started again from its outbox start message when there is one (the
 * start that was lost); the start attaches to a run already there, so a retry starts nothing new.
 *
 * The other way round, a page of the open runs of the run-owning workflow types is listed from
 * Temporal's visibility store, and each run no row names is terminated (docs/failure-semantics.md,
 * A run without its row): after a restore of the database to an instant, the runs started after it.
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowExecutionStatusName } from '@temporalio/client';
import { Op, QueryTypes } from 'sequelize';
import { acknowledgementRun, OPEN_ACKNOWLEDGEMENT_STATUSES } from '../contracts/acknowledgement';
import { claimRun, OPEN_STAGES } from '../contracts/claim';
import { onboardingRun, OPEN_REGISTRATION_STATUSES } from '../contracts/onboarding';
import {
  runDriftNoticeKey,
  RUN_OWNER_ENTITIES,
  type ReconcilerBatch,
  type ReconcilerBatchInput,
  type RunDriftFinding,
  type RunDriftState,
  type RunOwnerEntity,
  type RunsWithoutRowInput,
  type RunsWithoutRowPage,
} from '../contracts/reconciler';
import { OPEN_SUBSCRIPTION_STATUSES, subscriptionRun } from '../contracts/subscription';
import { Notification, OutboxMessage } from '../models';
import type { StartWorkflowPayload } from '../models/outbox-message';
import { runDriftRows, runsWithoutRowEnded } from '../observability/business-metrics';
import { recordAudit } from '../domain/audit/record';
import { startFromPayload } from '../services/workflow-start';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

/**
 * Each run-owning table, the statuses in which its row expects a live run and the workflow type of
 * its runs. Registrations belong to the platform (no tenant).
 */
const RUN_OWNERS: Record<
  RunOwnerEntity,
  { table: string; openStatuses: readonly string[]; tenantColumn: 't.tenant_id' | 'NULL::uuid'; workflowType: string }
> = {
  claim: { table: 'claims', openStatuses: OPEN_STAGES, tenantColumn: 't.tenant_id', workflowType: claimRun.type },
  subscription: {
    table: 'subscriptions',
    openStatuses: OPEN_SUBSCRIPTION_STATUSES,
    tenantColumn: 't.tenant_id',
    workflowType: subscriptionRun.type,
  },
  acknowledgement: {
    table: 'acknowledgements',
    openStatuses: OPEN_ACKNOWLEDGEMENT_STATUSES,
    tenantColumn: 't.tenant_id',
    workflowType: acknowledgementRun.type,
  },
  registration: {
    table: 'registrations',
    openStatuses: OPEN_REGISTRATION_STATUSES,
    tenantColumn: 'NULL::uuid',
    workflowType: onboardingRun.type,
  },
};

const ENTITY_OF_WORKFLOW_TYPE = new Map(RUN_OWNER_ENTITIES.map((entity) => [RUN_OWNERS[entity].workflowType, entity]));

// Every entity's series served at 0 from the worker's start: a series born at its first count would
// hide that count from increase(), and the alert on it (docker/alerts.yml) would miss a lone run ended.
for (const entity of RUN_OWNER_ENTITIES) runsWithoutRowEnded.inc({ entity }, 0);

/** A closed run's status as a row's run state; a live run (or one continuing as new) has none. */
const CLOSED_RUN_STATES: Partial<Record<WorkflowExecutionStatusName, RunDriftState>> = {
  TERMINATED: 'terminated',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  TIMED_OUT: 'timed_out',
  COMPLETED: 'completed',
};

interface OpenRow {
  id: string;
  tenant_id: string | null;
  workflow_id: string;
  status: string;
  run_state: RunDriftState | null;
}

/** Notices already delivered (or dropped: a suspended tenant, recipients all erased) are not sent again. */
const TOLD_STATUSES = ['sent', 'suppressed', 'recipient_erased'];

export function createReconcilerActivities({ sequelize, temporal, taskQueue, logger }: ActivityDeps) {
  /** Starts the run again from the newest outbox start of its workflow ID; false when there is none. */
  async function restartFromOutbox(workflowId: string): Promise<boolean> {
    const message = await OutboxMessage.findOne({ where: { kind: 'start', workflowId }, order: [['createdAt', 'DESC']] });
    if (!message) return false;
    try {
      const runId = await startFromPayload(temporal, taskQueue, workflowId, message.payload as StartWorkflowPayload);
      await OutboxMessage.update({ deliveredAt: new Date(), runId, nextAttemptAt: null, lastError: null }, { where: { id: message.id } });
    } catch (err) {
      // A run appeared meanwhile and closed: the next check sees it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return true;
  }

  async function runStateOf(workflowId: string): Promise<RunDriftState | null> {
    try {
      const description = await temporal.workflow.getHandle(workflowId).describe();
      return CLOSED_RUN_STATES[description.status.name] ?? null;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return (await restartFromOutbox(workflowId)) ? 'restarted' : 'missing';
    }
  }

  /** Marks the row with its new run state and records the change, unless another attempt did already. */
  async function mark(entity: RunOwnerEntity, row: OpenRow, runState: RunDriftState | null): Promise<void> {
    const { table } = RUN_OWNERS[entity];
    const source = workflowAuditSource();
    await sequelize.transaction(async (transaction) => {
      const [, changed] = await sequelize.query(
        `UPDATE ${table} SET run_state = :runState, run_state_at = CASE WHEN :runState::text IS NULL THEN NULL ELSE now() END
         WHERE id = :id AND run_state IS NOT DISTINCT FROM :before`,
        { replacements: { id: row.id, runState, before: row.run_state }, transaction, type: QueryTypes.UPDATE },
      );
      if (changed !== 1) return;
      await recordAudit(
        source,
        {
          tenantId: row.tenant_id,
          action: runState ? 'run_drift_found' : 'run_drift_cleared',
          entityType: entity,
          entityId: row.id,
          before: { runState: row.run_state },
          after: { runState, workflowId: row.workflow_id },
          // The run's ID too: two runs the schedule starts within one second share a workflow ID.
          dedupeKey: `${source.workflowId}:${source.runId}:${entity}:${row.id}`,
        },
        transaction,
      );
    });
    logger.warn({ entity, id: row.id, workflowId: row.workflow_id, from: row.run_state, to: runState }, 'run state of a row changed');
  }

  /** The drifted rows among `findings` whose notice has not gone out. */
  async function untold(findings: RunDriftFinding[]): Promise<RunDriftFinding[]> {
    if (findings.length === 0) return [];
    const told = await Notification.findAll({
      where: { idempotencyKey: { [Op.in]: findings.map(runDriftNoticeKey) }, status: { [Op.in]: TOLD_STATUSES } },
      attributes: ['idempotencyKey'],
    });
    const toldKeys = new Set(told.map((notice) => notice.idempotencyKey));
    return findings.filter((finding) => !toldKeys.has(runDriftNoticeKey(finding)));
  }

  return {
    async checkRunOwners(input: ReconcilerBatchInput): Promise<ReconcilerBatch> {
      const { table, openStatuses, tenantColumn } = RUN_OWNERS[input.entity];
      const rows = await sequelize.query<OpenRow>(
        `UPDATE ${table} t SET run_checked_at = now()
         WHERE t.id IN (
           SELECT id FROM ${table}
           WHERE status IN (:openStatuses) AND workflow_id IS NOT NULL
             AND created_at < now() - make_interval(secs => :graceSeconds)
             AND (run_checked_at IS NULL OR run_checked_at < :checkedBefore)
           ORDER BY run_checked_at NULLS FIRST, id
           LIMIT :batchSize FOR UPDATE SKIP LOCKED)
         RETURNING t.id, ${tenantColumn} AS tenant_id, t.workflow_id, t.status, t.run_state`,
        {
          replacements: { openStatuses, graceSeconds: input.graceSeconds, checkedBefore: input.checkedBefore, batchSize: input.batchSize },
          type: QueryTypes.SELECT,
        },
      );
      const drifted: RunDriftFinding[] = [];
      for (const row of rows) {
        const runState = await runStateOf(row.workflow_id);
        if (runState !== row.run_state) await mark(input.entity, row, runState);
        if (runState) {
          drifted.push({
            entity: input.entity,
            entityId: row.id,
            tenantId: row.tenant_id,
            workflowId: row.workflow_id,
            rowStatus: row.status,
            runState,
          });
        }
        Context.current().heartbeat();
      }
      return { checked: rows.length, untold: await untold(drifted) };
    },

    /**
     * Lists one page of this task queue's open runs of the run-owning types started before the
     * grace time, and terminates each run whose workflow ID no row of its table holds, whatever
     * the row's status (a closed row's live run is the row check's to report). Terminated, not
     * cancelled or signalled: no workflow has a signal for a row that is gone, and a cancelled
     * run's clean-up would write to and mail about a row that does not exist. The run ID is
     * pinned, so a newer run under the same ID is never hit; a run that closed meanwhile is skipped.
     */
    async endRunsWithoutRow(input: RunsWithoutRowInput): Promise<RunsWithoutRowPage> {
      const types = [...ENTITY_OF_WORKFLOW_TYPE.keys()].map((type) => `'${type}'`).join(', ');
      const page = await temporal.workflowService.listWorkflowExecutions({
        namespace: temporal.options.namespace,
        pageSize: input.batchSize,
        nextPageToken: input.pageToken ? Buffer.from(input.pageToken, 'base64') : undefined,
        query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running' AND WorkflowType IN (${types}) AND StartTime < '${input.startedBefore}'`,
      });
      const runs = (page.executions ?? []).flatMap((run) => {
        const entity = ENTITY_OF_WORKFLOW_TYPE.get(run.type?.name ?? '');
        const workflowId = run.execution?.workflowId;
        return entity && workflowId ? [{ entity, workflowId, runId: run.execution?.runId ?? undefined }] : [];
      });
      let ended = 0;
      for (const entity of RUN_OWNER_ENTITIES) {
        const workflowIds = runs.filter((run) => run.entity === entity).map((run) => run.workflowId);
        if (workflowIds.length === 0) continue;
        const named = await sequelize.query<{ workflow_id: string }>(
          `SELECT workflow_id FROM ${RUN_OWNERS[entity].table} WHERE workflow_id IN (:workflowIds)`,
          { replacements: { workflowIds }, type: QueryTypes.SELECT },
        );
        const withRow = new Set(named.map((row) => row.workflow_id));
        for (const run of runs.filter((r) => r.entity === entity && !withRow.has(r.workflowId))) {
          const reason = `reconciler: no ${entity} row names this run (${RUN_OWNERS[entity].table}.workflow_id = ${run.workflowId}); the database was restored to before its start, or the row was deleted`;
          try {
            await temporal.workflow.getHandle(run.workflowId, run.runId).terminate(reason);
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            continue;
          }
          ended += 1;
          runsWithoutRowEnded.inc({ entity });
          logger.warn({ entity, workflowId: run.workflowId, runId: run.runId }, 'run without its row terminated');
          Context.current().heartbeat();
        }
      }
      const next = page.nextPageToken && page.nextPageToken.length > 0 ? Buffer.from(page.nextPageToken).toString('base64') : null;
      return { listed: runs.length, ended, nextPageToken: next };
    },

    /** Sets the drift gauge from the rows marked now, whichever run or worker marked them. */
    async recordRunDriftMetric(): Promise<void> {
      const counts = await sequelize.query<{ entity: string; run_state: string; count: string }>(
        'SELECT entity, run_state, count(*) AS count FROM run_drifts GROUP BY entity, run_state',
        { type: QueryTypes.SELECT },
      );
      runDriftRows.reset();
      for (const { entity, run_state, count } of counts) runDriftRows.set({ entity, run_state }, Number(count));
    },
  };
}
