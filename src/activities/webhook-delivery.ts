/**
 * The attempt of a webhook delivery (docs/webhooks.md): reads the delivery, signs the event as
 * Standard Webhooks says with every secret the endpoint signs with, POSTs it under the guard of
 * src/services/webhook.ts, and records the attempt once under its key: a retried activity whose
 * attempt is recorded answers that outcome and sends nothing again.
 */
import { literal, type Transaction } from 'sequelize';
import { TenantSettings, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent } from '../models';
import { recordAudit } from '../domain/audit/record';
import { openSecret } from '../services/sealed-secret';
import { WEBHOOK_SECRET_PURPOSE, signingSecretsOf } from '../services/webhook-secrets';
import { CLOUDEVENTS_CONTENT_TYPE, cloudEventOf } from '../domain/webhooks/events';
import { endpointKeepers } from '../domain/webhooks/recipients';
import {
  acceptedStatus,
  DELIVERY_HEADER,
  failureCategory,
  sendWebhook,
  SIGNATURE_HEADER,
  signWebhook,
  standardWebhookSignature,
  TIMESTAMP_HEADER,
} from '../services/webhook';
import { LEGACY_SECRET_PURPOSE } from '../domain/webhooks/compliance-webhook-move';
import type { WebhookAttemptInput, WebhookAttemptOutcome } from '../contracts/webhook-delivery';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';
import { DAY_MS } from '../shared/time';
import { createNotificationActivities, type SendEmailInput } from './notifications';

/** The receiver has this long to answer: Svix's and Standard Webhooks' 15 seconds. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 15_000;

/** An endpoint whose deliveries have all failed this long is disabled (Svix's 5 days). */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/**
 * What a delivery whose run sends no more becomes (`ended`), unless the receiver took it before, on an
 * earlier run: a delivery taken stays `delivered` whatever becomes of a replay of it (the replay's
 * attempts show it), so the log never lists what the receiver has as failed or cancelled, nor does a
 * replay since a time send it again as one. Read in the statement, so a run that delivered meanwhile counts.
 */
const unlessTaken = (ended: 'failed' | 'cancelled') => literal(`CASE WHEN delivered_at IS NULL THEN '${ended}' ELSE 'delivered' END`);

/**
 * Keeps the endpoint's failing streak with the attempt, in its transaction, on the endpoint's row
 * as locked there: a success ends it; a failure starts it, or, once it has lasted
 * WEBHOOK_DISABLE_AFTER_MS, disables the endpoint. Answers whether this attempt disabled it.
 */
async function noteOutcome(row: WebhookEndpoint, delivered: boolean, now: Date, transaction: Transaction): Promise<boolean> {
  if (delivered) {
    if (row.failingSince !== null) await row.update({ failingSince: null }, { transaction });
    return false;
  }
  if (row.disabledAt) return false;
  const failingSince = row.failingSince ?? now;
  const disable = now.getTime() - failingSince.getTime() >= WEBHOOK_DISABLE_AFTER_MS;
  await row.update({ failingSince, ...(disable && { disabledAt: now, disabledReason: 'failing' as const }) }, { transaction });
  if (disable) {
    await recordAudit(
      workflowAuditSource(),
      {
        tenantId: row.tenantId,
        action: 'webhook_endpoint.disabled_failing',
        entityType: 'webhook_endpoint',
        entityId: row.id,
        before: { disabledAt: null },
        after: { disabledAt: now, disabledReason: 'failing', failingSince },
        dedupeKey: `${row.id}:disabled:${now.toISOString()}`,
      },
      transaction,
    );
  }
  return disable;
}

/**
 * The deprecated headers of the compliance webhook an endpoint was moved from, signed with its old
 * secret, while the tenant's `complianceWebhookLegacySignature` is on (docs/webhooks.md).
 */
async function legacyHeaders(
  deps: ActivityDeps,
  endpoint: WebhookEndpoint,
  eventId: string,
  body: string,
): Promise<Record<string, string>> {
  if (!endpoint.legacySecretSealed || !(await TenantSettings.forTenant(endpoint.tenantId)).complianceWebhookLegacySignature) return {};
  const secret = openSecret(deps.sealing, LEGACY_SECRET_PURPOSE, endpoint.id, endpoint.legacySecretSealed);
  if (!secret) return {};
  const timestamp = new Date().toISOString();
  return {
    [SIGNATURE_HEADER]: `sha256=${signWebhook(secret, timestamp, body)}`,
    [TIMESTAMP_HEADER]: timestamp,
    [DELIVERY_HEADER]: eventId,
  };
}

/** The tenant admins' notice of an endpoint disabled for failing: once per disablement, whatever is retried. */
function disabledNotice(endpoint: WebhookEndpoint): SendEmailInput {
  return {
    idempotencyKey: `webhook-endpoint-disabled:${endpoint.id}:${endpoint.disabledAt?.toISOString()}`,
    tenantId: endpoint.tenantId,
    to: endpointKeepers(),
    template: {
      type: 'webhookEndpointDisabled',
      values: {
        url: endpoint.url,
        endpointId: endpoint.id,
        days: WEBHOOK_DISABLE_AFTER_MS / DAY_MS,
        // Set whenever its failures disabled it; the disablement stands in for it otherwise.
        failingSince: (endpoint.failingSince ?? endpoint.disabledAt ?? new Date()).toISOString(),
      },
    },
  };
}

export function createWebhookDeliveryActivities(deps: ActivityDeps) {
  const { sendEmail } = createNotificationActivities(deps);
  /** Tells the tenant's admins, when the endpoint is one its failures disabled (again on a retry: the key sends it once). */
  const tellIfDisabledForFailing = async (endpointId: string) => {
    const endpoint = await WebhookEndpoint.findByPk(endpointId);
    if (endpoint?.disabledReason === 'failing') await sendEmail(disabledNotice(endpoint));
  };
  return {
    async attemptWebhookDelivery(input: WebhookAttemptInput): Promise<WebhookAttemptOutcome> {
      const delivery = await WebhookDelivery.findByPk(input.deliveryId, { include: [{ model: WebhookEvent, as: 'event' }] });
      // Deleted with its endpoint: nothing left to deliver.
      if (!delivery?.event) return { done: true };
      const recorded = await WebhookDeliveryAttempt.findOne({ where: { deliveryId: delivery.id, attemptKey: input.attemptKey } });
      if (recorded) {
        const done = recorded.statusCode !== null && acceptedStatus(recorded.statusCode);
        if (!done) await tellIfDisabledForFailing(delivery.endpointId);
        return { done };
      }
      const endpoint = await WebhookEndpoint.findByPk(delivery.endpointId);
      if (!endpoint || endpoint.disabledAt) {
        await WebhookDelivery.update({ status: unlessTaken('cancelled'), nextAttemptAt: null }, { where: { id: delivery.id } });
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
            // Structured mode of the CloudEvents HTTP binding: the media type tells a receiver the body is the whole event.
            'content-type': CLOUDEVENTS_CONTENT_TYPE,
            'webhook-id': delivery.event.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': standardWebhookSignature(
              secrets.filter((secret): secret is string => secret !== null),
              delivery.event.id,
              timestamp,
              body,
            ),
            ...(await legacyHeaders(deps, endpoint, delivery.event.id, body)),
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
      const outcome = await deps.sequelize.transaction(async (transaction) => {
        // The endpoint's row before its delivery's, in the order a deletion takes them (its
        // deliveries cascade from it): the other way round, a deletion meanwhile deadlocks.
        const locked = await WebhookEndpoint.findByPk(endpoint.id, { lock: transaction.LOCK.NO_KEY_UPDATE, transaction });
        // Deleted, and this delivery with it, while the attempt was under way.
        if (!locked) return 'endpoint deleted' as const;
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
                status: input.nextDelayMs === null ? unlessTaken('failed') : 'pending',
                lastStatusCode: statusCode,
                nextAttemptAt: input.nextDelayMs === null ? null : new Date(now.getTime() + input.nextDelayMs),
              },
          { where: { id: delivery.id }, transaction },
        );
        return (await noteOutcome(locked, delivered, now, transaction)) ? ('endpoint disabled' as const) : ('recorded' as const);
      });
      if (outcome === 'endpoint deleted') return { done: true };
      if (outcome === 'endpoint disabled') {
        deps.logger.warn({ endpointId: endpoint.id, url: endpoint.url }, 'webhook endpoint disabled after 5 days of failures');
        await tellIfDisabledForFailing(endpoint.id);
        // Its later attempts would only be cancelled: this delivery stops here, as its failure says.
        await WebhookDelivery.update({ status: unlessTaken('cancelled'), nextAttemptAt: null }, { where: { id: delivery.id } });
        return { done: true };
      }
      return { done: delivered };
    },
  };
}
