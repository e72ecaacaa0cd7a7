/**
 * A tenant admin's webhook endpoints (docs/webhooks.md): create one (its signing secret answered
 * this once), change, disable or enable, delete, rotate its secret, replay a delivery. Every
 * write is audited; a destination is checked by the same guard deliveries go through.
 */
import crypto from 'node:crypto';
import { findVisible, tenantOf } from '../../access/core';
import { webhookEndpointAccess } from '../../access/webhooks';
import { WebhookDelivery, WebhookEndpoint } from '../../models';
import { checkWebhookDestination, failureCategory, webhookGuardOf } from '../../services/webhook';
import { enqueueDeliveryRun } from '../../services/webhook-events';
import { newEndpointSecret, ROTATION_OVERLAP_MS } from '../../services/webhook-secrets';
import { notFound, unprocessable } from '../../shared/errors';
import { audited, createAudited, updateAudited } from '../audited';
import type { Command, CommandDeps } from '../command';

export interface WebhookEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
}

export interface WebhookEndpointChange extends Partial<WebhookEndpointInput> {
  id: string;
  enabled?: boolean;
}

/** The endpoint as listed, and its signing secret: the only time it is shown. */
export type EndpointWithSecret = { row: WebhookEndpoint; secret: string };

/** Refuses (422) a destination the delivery guard would refuse: a private address, a scheme not allowed here. */
async function assertDestination(deps: CommandDeps, url: string): Promise<void> {
  try {
    await checkWebhookDestination(url, webhookGuardOf(deps.config));
  } catch (err) {
    const reason = failureCategory(err) === 'blocked' ? 'is not a public https address this server may reach' : 'cannot be resolved';
    throw unprocessable('The webhook destination is refused', [{ field: 'url', message: `must be reachable: the URL ${reason}` }]);
  }
}

export const createWebhookEndpoint: Command<WebhookEndpointInput, EndpointWithSecret> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  await assertDestination(deps, input.url);
  // The secret is sealed bound to the row's ID, so the ID is chosen first.
  const id = crypto.randomUUID();
  const { secret, sealed } = newEndpointSecret(deps.config.jwt, id);
  const row = await createAudited(deps, 'webhook_endpoint', tenantId, (transaction) =>
    WebhookEndpoint.create(
      {
        id,
        tenantId,
        url: input.url,
        eventTypes: input.eventTypes,
        description: input.description ?? null,
        secretSealed: sealed,
        createdBy: caller.id,
      },
      { transaction },
    ),
  );
  return { row, secret };
};

export const updateWebhookEndpoint: Command<WebhookEndpointChange, WebhookEndpoint> = async (caller, { id, enabled, ...fields }, deps) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  if (fields.url !== undefined && fields.url !== endpoint.url) await assertDestination(deps, fields.url);
  const disabledAt = enabled === undefined ? endpoint.disabledAt : enabled ? null : (endpoint.disabledAt ?? new Date());
  return updateAudited(deps, 'webhook_endpoint', endpoint, { ...fields, disabledAt });
};

export const deleteWebhookEndpoint: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  await audited(
    deps,
    (transaction) => endpoint.destroy({ transaction }),
    () => ({
      tenantId: endpoint.tenantId,
      action: 'webhook_endpoint.delete',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      before: endpoint,
    }),
  );
};

/** A new secret signs from now on; the one it replaces signs beside it for ROTATION_OVERLAP_MS. */
export const rotateWebhookEndpointSecret: Command<{ id: string }, EndpointWithSecret> = async (caller, { id }, deps) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  const { secret, sealed } = newEndpointSecret(deps.config.jwt, endpoint.id);
  const before = endpoint.toJSON();
  const row = await audited(
    deps,
    (transaction) =>
      endpoint.update(
        {
          secretSealed: sealed,
          previousSecretSealed: endpoint.secretSealed,
          previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
        },
        { transaction },
      ),
    (after) => ({
      tenantId: after.tenantId,
      action: 'webhook_endpoint.rotate_secret',
      entityType: 'webhook_endpoint',
      entityId: after.id,
      before,
      after,
    }),
  );
  return { row, secret };
};

/** Sends one delivery again, from its first attempt, with the same event ID (receivers deduplicate by it). */
export const replayWebhookDelivery: Command<{ id: string; deliveryId: string }, WebhookDelivery> = async (
  caller,
  { id, deliveryId },
  deps,
) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  const delivery = await WebhookDelivery.findOne({ where: { id: deliveryId, endpointId: endpoint.id } });
  if (!delivery) throw notFound('Webhook delivery');
  const [replayed, message] = await audited(
    deps,
    async (transaction) => {
      const changed = await delivery.update(
        { replays: delivery.replays + 1, status: 'pending', nextAttemptAt: new Date() },
        { transaction },
      );
      return [changed, await enqueueDeliveryRun(changed, changed.replays, transaction)] as const;
    },
    ([changed]) => ({
      tenantId: changed.tenantId,
      action: 'webhook_delivery.replay',
      entityType: 'webhook_delivery',
      entityId: changed.id,
      after: { endpointId: endpoint.id, eventId: changed.eventId, replay: changed.replays },
    }),
  );
  await deps.outbox.deliver(message);
  return replayed;
};
