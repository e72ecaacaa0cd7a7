/**
 * One event to one endpoint (docs/webhooks.md): each attempt after the wait the schedule gives it,
 * on durable timers, until one is accepted (2xx) or the schedule ends. A run per delivery, so one
 * endpoint that is slow or down holds up only its own deliveries.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { WEBHOOK_RETRY_SCHEDULE_MS, type WebhookDeliveryInput } from '../contracts/webhook-delivery';

const { attemptWebhookDelivery } = proxyActivities<Activities>({
  // The POST itself is cut at 15 s; the rest is two short statements.
  startToCloseTimeout: '45 seconds',
  // Only the activity's own failures (the database) are retried here: a refused POST is an outcome.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  const schedule = WEBHOOK_RETRY_SCHEDULE_MS;
  for (let attempt = 0; attempt < schedule.length; attempt += 1) {
    if (schedule[attempt] > 0) await sleep(schedule[attempt]);
    const { done } = await attemptWebhookDelivery({
      deliveryId: input.deliveryId,
      attemptKey: `${input.replay}-${attempt + 1}`,
      nextDelayMs: attempt + 1 < schedule.length ? schedule[attempt + 1] : null,
    });
    if (done) return;
  }
}
