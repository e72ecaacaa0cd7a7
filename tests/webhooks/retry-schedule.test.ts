/**
 * The whole retry schedule of a webhook delivery (docs/webhooks.md), on the time-skipping server:
 * a receiver that always fails gets the event eight times, at once and after 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h on the run's durable timers, each time with the same id and a valid
 * signature; then the delivery is failed and no attempt is left scheduled.
 */
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { webhookDeliveryRun, type WebhookDeliveryWorkflow } from '../../src/contracts/webhook-delivery';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../../src/models';
import { recordWebhookEvent } from '../../src/domain/webhooks/events';
import { newEndpointSecret } from '../../src/services/webhook-secrets';
import { buildTenant } from '../support/factories';
import { recordHistory } from '../support/histories';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { WAIT_BOUND_MS } from '../support/waiting';
import { startReceiver } from './receiver';

const TASK_QUEUE = 'webhook-retry-schedule';

describe('webhook retry schedule', () => {
  let stack: TimeSkippingStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    await stack.startWorker(TASK_QUEUE);
    receiver = await startReceiver([503]);
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it('tries eight times on the schedule, with the same id and a valid signature each time, then gives up', async () => {
    const tenant = await buildTenant({ slug: 'retries' });
    const id = crypto.randomUUID();
    const { secret, sealed } = newEndpointSecret(stack.deps.sealing, id);
    await WebhookEndpoint.create({ id, tenantId: tenant.id, eventTypes: ['invoice.*'], secretSealed: sealed, url: receiver.url });
    await stack.db.sequelize.transaction((transaction) =>
      recordWebhookEvent(
        {
          tenantId: tenant.id,
          type: 'invoice.paid',
          subject: `invoices/${id}`,
          data: { invoiceId: id },
          time: new Date(),
          dedupeKey: `test:${id}`,
        },
        transaction,
      ),
    );
    const delivery = await WebhookDelivery.findOne({ where: { endpointId: id }, rejectOnEmpty: true });

    // As the outbox relay starts it; the result is awaited with time skipped.
    const started = Date.now();
    await stack.env.client.workflow.execute<WebhookDeliveryWorkflow>(webhookDeliveryRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: webhookDeliveryRun.id(delivery.id),
      args: [{ tenantId: tenant.id, deliveryId: delivery.id, replay: 0 }],
      workflowExecutionTimeout: '3 days',
    });
    expect(Date.now() - started).toBeLessThan(WAIT_BOUND_MS);

    expect(receiver.received).toHaveLength(8);
    const ids = receiver.received.map((message) => (new Webhook(secret).verify(message.body, message.headers) as { id: string }).id);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));

    const handle = stack.env.client.workflow.getHandle(webhookDeliveryRun.id(delivery.id));
    await recordHistory(handle, 'webhookDeliveryWorkflow');
    const history = await handle.fetchHistory();
    const timers = (history.events ?? [])
      .map((event) => event.timerStartedEventAttributes?.startToFireTimeout?.seconds)
      .filter((seconds) => seconds !== undefined && seconds !== null)
      .map(Number);
    expect(timers).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);

    await delivery.reload();
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 8, lastStatusCode: 503, nextAttemptAt: null });
    expect(await WebhookDeliveryAttempt.count({ where: { deliveryId: delivery.id } })).toBe(8);
  });
});
