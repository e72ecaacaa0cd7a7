/**
 * Delivery of the transactional outbox's messages (src/models/outbox-message.ts): a workflow start,
 * a signal or a saved report's schedule to bring in line, written in the transaction of the change
 * that needs it, delivered after the commit.
 * The API delivers through here at once and its relay delivers whatever that attempt left
 * (src/api/temporal/outbox.ts); a worker's activity that writes such a change (an operator's batch
 * repair) delivers through here too. Delivery is idempotent: a start uses the business workflow ID
 * with USE_EXISTING, the workflows treat a repeated signal as the no-op it is, and a schedule is
 * set to what its definition's row says at delivery.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Logger } from '../config/logger';
import { reportScheduleId } from '../contracts/scheduled-report';
import { OutboxMessage } from '../models';
import type { ReportSchedulePayload, SignalWorkflowPayload, StartWorkflowPayload } from '../models/outbox-message';
import { syncReportSchedule } from './report-schedules';
import { startFromPayload } from './workflow-start';

const MAX_BACKOFF_MS = 30_000;

/** How one process reaches Temporal to deliver: every call under the deadline of its process. */
export interface OutboxDelivery {
  sequelize: Sequelize;
  logger: Logger;
  taskQueue: string;
  /** How long one attempt holds a message before another process may try it. */
  leaseMs: number;
  /** One RPC under the process's deadline; an outage throws. */
  call<T>(rpc: (temporal: Client) => Promise<T>): Promise<T>;
}

/**
 * `W` is the contract's workflow signature (`enqueueStart<ClaimWorkflow>(…)`). It has no default
 * a start could fall back on: without it `args` accepts nothing, so every start checks its input.
 */
export function enqueueStart<W extends Workflow = never>(
  workflowId: string,
  payload: StartWorkflowPayload<W>,
  transaction: Transaction,
): Promise<OutboxMessage> {
  return OutboxMessage.create({ kind: 'start', workflowId, payload }, { transaction });
}

export function enqueueSignal(workflowId: string, payload: SignalWorkflowPayload, transaction: Transaction): Promise<OutboxMessage> {
  return OutboxMessage.create({ kind: 'signal', workflowId, payload }, { transaction });
}

/** Brings the saved report's Temporal Schedule in line with its definition once the change has committed. */
export function enqueueReportSchedule(definitionId: string, transaction: Transaction): Promise<OutboxMessage> {
  const payload: ReportSchedulePayload = { definitionId };
  return OutboxMessage.create({ kind: 'report_schedule', workflowId: reportScheduleId(definitionId), payload }, { transaction });
}

/**
 * The outbox as a command reaches it (`Outbox` in src/domain/command.ts): messages written in the
 * command's transaction, each delivered through `delivery` once it has committed.
 */
export function outboxThrough(delivery: OutboxDelivery) {
  return {
    enqueueStart,
    enqueueSignal,
    enqueueReportSchedule,
    deliver: (message: OutboxMessage) => deliver(delivery, message),
  };
}

/**
 * Takes the message for one delivery attempt: only one process at a time (the lease), and only a
 * message not yet delivered and not backing off.
 */
async function lease(delivery: OutboxDelivery, id: string): Promise<boolean> {
  const rows = await delivery.sequelize.query(
    `UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => :leaseSeconds), updated_at = now()
     WHERE id = :id AND delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
     RETURNING id`,
    { replacements: { id, leaseSeconds: delivery.leaseMs / 1000 }, type: QueryTypes.SELECT },
  );
  return rows.length === 1;
}

async function send(delivery: OutboxDelivery, message: OutboxMessage): Promise<string | null> {
  if (message.kind === 'report_schedule') {
    await syncReportSchedule((message.payload as ReportSchedulePayload).definitionId, delivery.taskQueue, delivery.call);
    return null;
  }
  if (message.kind === 'signal') {
    const { signalName, args } = message.payload as SignalWorkflowPayload;
    try {
      await delivery.call((temporal) => temporal.workflow.getHandle(message.workflowId).signal(signalName, ...args));
    } catch (err) {
      // The run has ended: nothing is left waiting for this signal.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    return null;
  }
  try {
    return await delivery.call((temporal) =>
      startFromPayload(temporal, delivery.taskQueue, message.workflowId, message.payload as StartWorkflowPayload),
    );
  } catch (err) {
    // Started before and already closed: the start was delivered.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw err;
  }
}

/**
 * One delivery attempt. Answers the first run ID of a delivered start (null for a signal or a
 * start delivered before), or undefined when it was not delivered now. Never throws: the
 * message is committed, so a failure here only leaves it to the relay.
 */
export async function deliver(delivery: OutboxDelivery, message: OutboxMessage): Promise<string | null | undefined> {
  try {
    if (!(await lease(delivery, message.id))) return undefined;
    const runId = await send(delivery, message);
    await OutboxMessage.update({ deliveredAt: new Date(), runId, nextAttemptAt: null, lastError: null }, { where: { id: message.id } });
    return runId;
  } catch (err) {
    const attempts = message.attempts + 1;
    const backoffMs = Math.min(1000 * 2 ** Math.min(attempts, 5), MAX_BACKOFF_MS);
    // Best effort: without it the lease simply expires and the relay tries again a little later.
    await OutboxMessage.update(
      { nextAttemptAt: new Date(Date.now() + backoffMs), lastError: String((err as Error).message).slice(0, 2000) },
      { where: { id: message.id } },
    ).catch(() => undefined);
    delivery.logger.warn(
      { err, outboxMessageId: message.id, workflowId: message.workflowId },
      'outbox delivery failed; the relay will retry',
    );
    return undefined;
  }
}
