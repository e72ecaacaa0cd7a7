/**
 * The API's side of the transactional outbox (src/services/outbox.ts delivers): the outbox a
 * command reaches, delivering at once after its commit, and the relay that delivers whatever that
 * attempt left (Temporal down, the process gone), with back-off.
 */
import { Op, QueryTypes } from 'sequelize';
import type { Outbox } from '../../domain/command';
import { outboxOldestUndeliveredAge, outboxUndelivered } from '../../observability/business-metrics';
import { OutboxMessage } from '../../models';
import { deliver, outboxThrough, type OutboxDelivery } from '../../services/outbox';
import type { ApiServices } from '../runtime/services';
import { temporalCall } from './calls';
import { startPollingLoop, type PollingLoop } from '../../services/polling-loop';

const RELAY_BATCH = 100;
/**
 * Deliveries in flight at once. One after another, a tick kept pace only while a start took under
 * 50 ms: with the server busy (a rollout) webhook deliveries waited tens of seconds to start.
 */
const RELAY_CONCURRENCY = 8;

/** Deliveries under the API's deadlines; the lease lasts the RPC deadline plus a margin. */
function deliveryOf(services: ApiServices): OutboxDelivery {
  return {
    sequelize: services.sequelize,
    logger: services.logger,
    taskQueue: services.config.temporal.taskQueue,
    leaseMs: services.config.deadlines.temporalRpcMs * 2,
    call: (rpc) => temporalCall(services, 'rpc', rpc),
  };
}

/** The outbox as a command reaches it (src/domain/command.ts): deliveries use these services. */
export function outboxOf(services: ApiServices): Outbox {
  return outboxThrough(deliveryOf(services));
}

/** Delivers, oldest first, the messages to Temporal whose delivery is due (mails are the worker's: src/activities/outbox-mails.ts). */
export async function relayOnce(services: ApiServices): Promise<number> {
  const due = await OutboxMessage.findAll({
    where: {
      deliveredAt: null,
      kind: { [Op.ne]: 'mail' },
      [Op.or]: [{ nextAttemptAt: null }, { nextAttemptAt: { [Op.lte]: new Date() } }],
    },
    order: [['createdAt', 'ASC']],
    limit: RELAY_BATCH,
  });
  const delivery = deliveryOf(services);
  // A run's messages stay in the order they were written (a signal after its start); runs are
  // independent of each other, so their messages go side by side.
  const byRun = new Map<string, OutboxMessage[]>();
  for (const message of due) {
    const queue = byRun.get(message.workflowId);
    if (queue) queue.push(message);
    else byRun.set(message.workflowId, [message]);
  }
  const queues = [...byRun.values()];
  let delivered = 0;
  const drain = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const message of queue) {
        if ((await deliver(delivery, message)) !== undefined) delivered += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: RELAY_CONCURRENCY }, drain));
  return delivered;
}

/** Sets the backlog gauges: what is still owed to Temporal and how long the oldest has waited (the partial index of 0008 serves it). */
async function recordBacklog(services: ApiServices): Promise<void> {
  const [backlog] = await services.sequelize.query<{ count: string; oldest: Date | null }>(
    "SELECT count(*) AS count, min(created_at) AS oldest FROM outbox_messages WHERE delivered_at IS NULL AND kind <> 'mail'",
    { type: QueryTypes.SELECT },
  );
  outboxUndelivered.set(Number(backlog.count));
  outboxOldestUndeliveredAge.set(backlog.oldest ? Math.max(0, (Date.now() - new Date(backlog.oldest).getTime()) / 1000) : 0);
}

/** Runs the relay every `intervalMs` until stopped; an outage only delays it. */
export function startOutboxRelay(services: ApiServices, intervalMs = 1000): PollingLoop {
  return startPollingLoop(
    async () => {
      const delivered = await relayOnce(services);
      await recordBacklog(services);
      // A full batch delivered means more are likely due: the next tick follows at once.
      return delivered >= RELAY_BATCH;
    },
    (err) => services.logger.warn({ err }, 'outbox relay could not read its messages'),
    intervalMs,
  );
}
