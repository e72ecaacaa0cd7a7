/**
 * A tenant admin's webhook endpoints (docs/webhooks.md): create one (its signing secret answered
 * this once), change, disable or enable, delete, rotate its secret, replay a delivery or all since a time. Every
 * write is audited; a destination is checked by the same guard deliveries go through.
 */
import crypto from 'node:crypto';
import { findVisible, tenantOf } from '../../access/core';
import { webhookEndpointAccess } from '../../access/webhooks';
import { Op } from 'sequelize';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../../models';
import { checkWebhookDestination, failureCategory, webhookDeliveryGuardOf } from '../../services/webhook';
import { enqueueDeliveryRun } from './events';
import { assertEndpointRoom } from './endpoint-quota';
import { newEndpointSecret, ROTATION_OVERLAP_MS } from '../../services/webhook-secrets';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import { DAY_MS } from '../../shared/time';
import { REPLAY_SINCE_MAX_DAYS } from '../../shared/webhook-retention';
import { audited, createAudited, updateAudited, updateAuditedIn } from '../audited';
import type { Command, CommandDeps } from '../command';
import { assertCallerPresent, type Presence } from '../identity/presence';

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
    await checkWebhookDestination(url, webhookDeliveryGuardOf(deps.config));
  } catch (err) {
    const reason = failureCategory(err) === 'blocked' ? 'is not a public https address this server may reach' : 'cannot be resolved';
    throw unprocessable('The webhook destination is refused', [{ field: 'url', message: `must be reachable: the URL ${reason}` }]);
  }
}

/**
 * An endpoint receives every event it subscribes to, people's data in them, at an address its maker
 * chooses: the maker proves they are there (their password, or a sign-in of the last minutes), as for
 * an API key, so a stolen session cannot send the tenant's events to its own address.
 */
export const createWebhookEndpoint: Command<WebhookEndpointInput & Presence, EndpointWithSecret> = async (
  caller,
  { currentPassword, signedInAt, passwordAttempts, ...input },
  deps,
) => {
  const tenantId = tenantOf(caller);
  await assertCallerPresent(deps, caller, { currentPassword, signedInAt, passwordAttempts }, 'Choosing where webhook events go');
  await assertDestination(deps, input.url);
  // The secret is sealed bound to the row's ID, so the ID is chosen first.
  const id = crypto.randomUUID();
  const { secret, sealed } = newEndpointSecret(deps.config.jwt, id);
  const row = await createAudited(deps, 'webhook_endpoint', tenantId, async (transaction) => {
    await assertEndpointRoom(tenantId, transaction);
    return WebhookEndpoint.create(
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
    );
  });
  return { row, secret };
};

/** Moving an endpoint to another URL asks for the proof making one does (`createWebhookEndpoint`); its other changes do not. */
export const updateWebhookEndpoint: Command<WebhookEndpointChange & Presence, WebhookEndpoint> = async (
  caller,
  { id, enabled, currentPassword, signedInAt, passwordAttempts, ...fields },
  deps,
) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  if (fields.url !== undefined && fields.url !== endpoint.url) {
    await assertCallerPresent(deps, caller, { currentPassword, signedInAt, passwordAttempts }, 'Choosing where webhook events go');
    await assertDestination(deps, fields.url);
  }
  if (enabled === undefined) return updateAudited(deps, 'webhook_endpoint', endpoint, fields);
  // Enabled again, its failures are forgotten: the next one starts a new 5-day count.
  const state = enabled
    ? { disabledAt: null, disabledReason: null, failingSince: null }
    : { disabledAt: endpoint.disabledAt ?? new Date(), disabledReason: endpoint.disabledReason ?? ('admin' as const) };
  return updateAudited(deps, 'webhook_endpoint', endpoint, { ...fields, ...state });
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

/**
 * A new secret signs from now on; the one it replaces signs beside it for ROTATION_OVERLAP_MS. The
 * row is locked and read again first: a rotation racing this one waits and then keeps this one's
 * secret as its previous one, so no secret answered to a caller is dropped unused. The caller
 * proves they are there, as making the endpoint asks: the secret is answered to them, and once the
 * overlap ends it alone signs, so a stolen session holding it could sign events the receiver believes.
 */
export const rotateWebhookEndpointSecret: Command<{ id: string } & Presence, EndpointWithSecret> = async (
  caller,
  { id, ...presence },
  deps,
) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  await assertCallerPresent(deps, caller, presence, "Choosing a webhook endpoint's signing secret");
  const { secret, sealed } = newEndpointSecret(deps.config.jwt, endpoint.id);
  const row = await deps.sequelize.transaction(async (transaction) => {
    const current = await WebhookEndpoint.findOne({ where: { id: endpoint.id }, lock: transaction.LOCK.UPDATE, transaction });
    if (!current) throw notFound('Webhook endpoint');
    const rotation = {
      secretSealed: sealed,
      previousSecretSealed: current.secretSealed,
      previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
    };
    return updateAuditedIn(transaction, deps, 'webhook_endpoint', current, rotation, 'webhook_endpoint.rotate_secret');
  });
  return { row, secret };
};

/** A replay to a disabled endpoint would only be cancelled at its first attempt: 409, nothing changed. */
function assertEnabled(endpoint: WebhookEndpoint): void {
  if (endpoint.disabledAt) throw conflict('The endpoint is disabled: enable it before replaying to it');
}

/** Sends one delivery again, from its first attempt, with the same event ID (receivers deduplicate by it). */
export const replayWebhookDelivery: Command<{ id: string; deliveryId: string }, WebhookDelivery> = async (
  caller,
  { id, deliveryId },
  deps,
) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  const delivery = await WebhookDelivery.findOne({ where: { id: deliveryId, endpointId: endpoint.id } });
  if (!delivery) throw notFound('Webhook delivery');
  assertEnabled(endpoint);
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

/** Deliveries one replay since a time sends again at most; a later request goes on from where it stopped. */
export const REPLAY_SINCE_LIMIT = 1_000;

export interface ReplaySince {
  id: string;
  since: Date;
  /** Delivered ones too (a receiver that lost what it took); else only those that failed or were cancelled. */
  includeDelivered?: boolean;
}

export interface ReplayedSince {
  replayed: number;
  /** The event time of the last one replayed when REPLAY_SINCE_LIMIT stopped it: ask again from there. */
  continueFrom: Date | null;
}

/**
 * Sends again every delivery of the endpoint whose event happened since `since`, oldest event
 * first, each from its first attempt with the same event ID (receivers deduplicate by it). Those
 * still pending are on their way already and left alone. The runs start through the outbox.
 */
export const replayWebhookDeliveriesSince: Command<ReplaySince, ReplayedSince> = async (caller, { id, since, includeDelivered }, deps) => {
  const endpoint = await findVisible(caller, webhookEndpointAccess, id);
  if (since.getTime() > Date.now() || since.getTime() < Date.now() - REPLAY_SINCE_MAX_DAYS * DAY_MS) {
    throw unprocessable(`since must be within the last ${REPLAY_SINCE_MAX_DAYS} days`, [
      { field: 'since', message: `not in the future, at most ${REPLAY_SINCE_MAX_DAYS} days ago` },
    ]);
  }
  assertEnabled(endpoint);
  const statuses = includeDelivered ? ['failed', 'cancelled', 'delivered'] : ['failed', 'cancelled'];
  return audited(
    deps,
    async (transaction) => {
      const deliveries = await WebhookDelivery.findAll({
        where: { endpointId: endpoint.id, status: statuses },
        include: [{ model: WebhookEvent, as: 'event', where: { time: { [Op.gte]: since } }, attributes: ['time'] }],
        order: [
          [{ model: WebhookEvent, as: 'event' }, 'time', 'ASC'],
          ['id', 'ASC'],
        ],
        limit: REPLAY_SINCE_LIMIT,
        lock: { level: transaction.LOCK.UPDATE, of: WebhookDelivery },
        transaction,
      });
      for (const delivery of deliveries) {
        const changed = await delivery.update(
          { replays: delivery.replays + 1, status: 'pending', nextAttemptAt: new Date() },
          { transaction },
        );
        await enqueueDeliveryRun(changed, changed.replays, transaction);
      }
      const last = deliveries.at(-1)?.event?.time ?? null;
      return { replayed: deliveries.length, continueFrom: deliveries.length === REPLAY_SINCE_LIMIT ? last : null };
    },
    (result) => ({
      tenantId: endpoint.tenantId,
      action: 'webhook_endpoint.replay_since',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      after: { since, includeDelivered: includeDelivered ?? false, ...result },
    }),
  );
};
