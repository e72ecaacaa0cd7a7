/**
 * Transactional outbox for the messages the API owes Temporal after a database change: a
 * workflow start (POST /claims, publishing a policy version) or a signal that must not be lost
 * (a document uploaded). The message is written in the transaction of the change; after the
 * commit the request delivers it at once, and the relay delivers whatever that attempt left
 * (Temporal down, the process gone), with back-off. Delivery is idempotent: a start uses the
 * business workflow ID with USE_EXISTING / REJECT_DUPLICATE, and the workflows treat a repeated
 * signal as the no-op it is.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { Op, QueryTypes, Transaction } from 'sequelize';
import type { Outbox } from '../../domain/command';
import { outboxOldestUndeliveredAge, outboxUndelivered } from '../../observability/business-metrics';
import { OutboxMessage } from '../../models';
import type { SignalWorkflowPayload, StartWorkflowPayload } from '../../models/outbox-message';
import type { ApiServices } from '../runtime/services';
import { temporalCall } from './calls';
import { startFromPayload } from '../../services/workflow-start';

const MAX_BACKOFF_MS = 30_000;
const RELAY_BATCH = 20;

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

/**
 * Takes the message for one delivery attempt: only one process at a time (the lease lasts the
 * RPC deadline plus a margin), and only a message not yet delivered and not backing off.
 */
async function lease(services: ApiServices, id: string): Promise<boolean> {
  const leaseMs = services.config.deadlines.temporalRpcMs * 2;
  const rows = await services.sequelize.query(
    `UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => :leaseSeconds), updated_at = now()
     WHERE id = :id AND delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
     RETURNING id`,
    { replacements: { id, leaseSeconds: leaseMs / 1000 }, type: QueryTypes.SELECT },
  );
  return rows.length === 1;
}

async function send(services: ApiServices, message: OutboxMessage): Promise<string | null> {
  if (message.kind === 'signal') {
    const { signalName, args } = message.payload as SignalWorkflowPayload;
    try {
      await temporalCall(services, 'rpc', (temporal) => temporal.workflow.getHandle(message.workflowId).signal(signalName, ...args));
    } catch (err) {
      // The run has ended: nothing is left waiting for this signal.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    return null;
  }
  try {
    return await temporalCall(services, 'rpc', (temporal) =>
      startFromPayload(temporal, services.config.temporal.taskQueue, message.workflowId, message.payload as StartWorkflowPayload),
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
export async function deliver(services: ApiServices, message: OutboxMessage): Promise<string | null | undefined> {
  try {
    if (!(await lease(services, message.id))) return undefined;
    const runId = await send(services, message);
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
    services.logger.warn(
      { err, outboxMessageId: message.id, workflowId: message.workflowId },
      'outbox delivery failed; the relay will retry',
    );
    return undefined;
  }
}

/** The outbox as a command reaches it (src/domain/command.ts): deliveries use these services. */
export function outboxOf(services: ApiServices): Outbox {
  return { enqueueStart, enqueueSignal, deliver: (message) => deliver(services, message) };
}

/** Delivers, oldest first, the messages whose delivery is due. */
export async function relayOnce(services: ApiServices): Promise<number> {
  const due = await OutboxMessage.findAll({
    where: { deliveredAt: null, [Op.or]: [{ nextAttemptAt: null }, { nextAttemptAt: { [Op.lte]: new Date() } }] },
    order: [['createdAt', 'ASC']],
    limit: RELAY_BATCH,
  });
  let delivered = 0;
  for (const message of due) {
    if ((await deliver(services, message)) !== undefined) delivered += 1;
  }
  return delivered;
}

/** Sets the backlog gauges: what is still owed to Temporal and how long the oldest has waited (the partial index of 0008 serves it). */
async function recordBacklog(services: ApiServices): Promise<void> {
  const [backlog] = await services.sequelize.query<{ count: string; oldest: Date | null }>(
    'SELECT count(*) AS count, min(created_at) AS oldest FROM outbox_messages WHERE delivered_at IS NULL',
    { type: QueryTypes.SELECT },
  );
  outboxUndelivered.set(Number(backlog.count));
  outboxOldestUndeliveredAge.set(backlog.oldest ? Math.max(0, (Date.now() - new Date(backlog.oldest).getTime()) / 1000) : 0);
}

/** Runs the relay every `intervalMs` until stopped; an outage only delays it. */
export function startOutboxRelay(services: ApiServices, intervalMs = 1000): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = relayOnce(services)
      .then(() => recordBacklog(services))
      .catch((err) => services.logger.warn({ err }, 'outbox relay could not read its messages'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
