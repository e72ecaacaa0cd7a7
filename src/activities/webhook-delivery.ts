/**
 * The attempt of a webhook delivery (docs/webhooks.md): reads the delivery, signs the event as
 * Standard Webhooks says with every secret the endpoint signs with, POSTs it under the guard of
 * src/services/webhook.ts, and records the attempt once under its key: a retried activity whose
 * attempt is recorded answers that outcome and sends nothing again.
 */
import { ForeignKeyConstraintError } from 'sequelize';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent } from '../models';
import { openSecret } from '../services/sealed-secret';
import { WEBHOOK_SECRET_PURPOSE, signingSecretsOf } from '../services/webhook-secrets';
import { cloudEventOf } from '../services/webhook-events';
import { acceptedStatus, failureCategory, sendWebhook, standardWebhookSignature } from '../services/webhook';
import type { WebhookAttemptInput, WebhookAttemptOutcome } from '../contracts/webhook-delivery';
import type { ActivityDeps } from './deps';

/** The receiver has this long to answer: Svix's and Standard Webhooks' 15 seconds. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 15_000;

export function createWebhookDeliveryActivities(deps: ActivityDeps) {
  return {
    async attemptWebhookDelivery(input: WebhookAttemptInput): Promise<WebhookAttemptOutcome> {
      const delivery = await WebhookDelivery.findByPk(input.deliveryId, { include: [{ model: WebhookEvent, as: 'event' }] });
      // Deleted with its endpoint: nothing left to deliver.
      if (!delivery?.event) return { done: true };
      const recorded = await WebhookDeliveryAttempt.findOne({ where: { deliveryId: delivery.id, attemptKey: input.attemptKey } });
      if (recorded) return { done: recorded.statusCode !== null && acceptedStatus(recorded.statusCode) };
      const endpoint = await WebhookEndpoint.findByPk(delivery.endpointId);
      if (!endpoint || endpoint.disabledAt) {
        await delivery.update({ status: 'cancelled', nextAttemptAt: null });
        return { done: true };
      }
      const secrets = signingSecretsOf(endpoint, new Date()).map((sealed) =>
        openSecret(deps.sealing, WEBHOOK_SECRET_PURPOSE, endpoint.id, sealed),
      );
      const body = JSON.stringify(cloudEventOf(delivery.event));
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      let statusCode: number | null = null;
      let failure: string | null = null;
      try {
        statusCode = await sendWebhook(
          endpoint.url,
          body,
          {
            'webhook-id': delivery.event.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': standardWebhookSignature(
              secrets.filter((secret): secret is string => secret !== null),
              delivery.event.id,
              timestamp,
              body,
            ),
          },
          WEBHOOK_DELIVERY_TIMEOUT_MS,
          deps.webhookGuard,
        );
        if (!acceptedStatus(statusCode)) failure = `http ${Math.floor(statusCode / 100)}xx`;
      } catch (err) {
        failure = failureCategory(err);
      }
      const delivered = failure === null;
      const now = new Date();
      const recording = deps.sequelize.transaction(async (transaction) => {
        await WebhookDeliveryAttempt.bulkCreate(
          [
            {
              deliveryId: delivery.id,
              attemptKey: input.attemptKey,
              statusCode,
              failure,
              latencyMs: Math.round(performance.now() - started),
              attemptedAt: now,
            },
          ],
          { ignoreDuplicates: true, transaction },
        );
        await WebhookDelivery.increment('attemptCount', { where: { id: delivery.id }, transaction });
        await WebhookDelivery.update(
          delivered
            ? { status: 'delivered', deliveredAt: now, lastStatusCode: statusCode, nextAttemptAt: null }
            : {
                status: input.nextDelayMs === null ? 'failed' : 'pending',
                lastStatusCode: statusCode,
                nextAttemptAt: input.nextDelayMs === null ? null : new Date(now.getTime() + input.nextDelayMs),
              },
          { where: { id: delivery.id }, transaction },
        );
      });
      try {
        await recording;
      } catch (err) {
        // The endpoint was deleted, and its deliveries with it, while this attempt was under way.
        if (err instanceof ForeignKeyConstraintError) return { done: true };
        throw err;
      }
      return { done: delivered };
    },
  };
}
