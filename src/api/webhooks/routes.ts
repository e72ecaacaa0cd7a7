/** A tenant admin's webhook endpoints, their deliveries and the event catalogue (docs/webhooks.md); the writes are src/domain/webhooks/commands.ts. */
import { webhookEndpointAccess } from '../../access/webhooks';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  replayWebhookDeliveriesSince,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from '../../domain/webhooks/commands';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent } from '../../models';
import { CLOUDEVENT_TYPE_PREFIX, WEBHOOK_EVENT_TYPES, WEBHOOK_EVENT_TYPE_NAMES } from '../../domain/webhooks/events';
import { idParams } from '../http/common-schemas';
import { RouteSpec, type SecretAnswer, tagged } from '../http/route';
import { acceptedRoute, actionRoute, createRoute, updateRoute } from '../http/write-route';
import { deleteOperationRoute, operation, withPresence } from '../http/operation';
import { childListRoute, findRoute, listRoute, readRoute } from '../http/row-route';
import { paginate } from '../lists/pagination';
import {
  createWebhookEndpointBody,
  deliveryParams,
  endpointWithSecretSchema,
  eventTypesSchema,
  listWebhookDeliveriesQuery,
  listWebhookEndpointsQuery,
  replayedSinceSchema,
  replaySinceBody,
  rotateSecretBody,
  updateWebhookEndpointBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
} from './schemas';

/** A delivery as listed: its event, and every attempt in the order made. */
function deliveryView(delivery: WebhookDelivery): object {
  const event = delivery.event as WebhookEvent;
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    event: { id: event.id, type: event.type, subject: event.subject, time: event.time },
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    replays: delivery.replays,
    lastStatusCode: delivery.lastStatusCode,
    nextAttemptAt: delivery.nextAttemptAt,
    deliveredAt: delivery.deliveredAt,
    createdAt: delivery.createdAt,
    attempts: [...(delivery.attempts ?? [])]
      .sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime())
      .map(({ attemptKey, statusCode, failure, latencyMs, attemptedAt }) => ({ attemptKey, statusCode, failure, latencyMs, attemptedAt })),
  };
}

/** An endpoint with its signing secret, answered this once. */
const withSecret = ({ row, secret }: { row: WebhookEndpoint; secret: string }) => ({ ...row.toJSON(), secret });

/**
 * A repeat with the same Idempotency-Key answers the endpoint without its secret, which is never
 * stored: the client sees what was made, and rotates the secret if it lost the first answer.
 */
const withoutSecretOnRepeat: SecretAnswer = { fields: ['secret'], repeat: 'without' };

const withEventAndAttempts = [
  { model: WebhookEvent, as: 'event' },
  { model: WebhookDeliveryAttempt, as: 'attempts' },
];

export function webhookRoutes(): RouteSpec[] {
  return tagged('webhooks', [
    readRoute({
      path: '/webhooks/event-types',
      summary: 'The event types an endpoint may subscribe to, each with the JSON Schema of its data',
      verb: 'listWebhookEventTypes',
      schema: eventTypesSchema,
      read: () => ({
        items: WEBHOOK_EVENT_TYPE_NAMES.map((type) => ({
          type,
          cloudEventType: `${CLOUDEVENT_TYPE_PREFIX}${type}`,
          description: WEBHOOK_EVENT_TYPES[type].description,
          schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...WEBHOOK_EVENT_TYPES[type].data },
        })),
      }),
    }),
    createRoute(
      operation({
        name: 'webhooks.createEndpoint',
        verb: 'createWebhookEndpoint',
        body: createWebhookEndpointBody,
        run: withPresence(createWebhookEndpoint),
      }),
      {
        path: '/webhooks/endpoints',
        summary:
          'Subscribe an endpoint to events, with your password or within 5 minutes of signing in (403 reauthentication_required otherwise); its signing secret is answered this once',
        schema: endpointWithSecretSchema,
        secretAnswer: withoutSecretOnRepeat,
        view: withSecret,
      },
    ),
    listRoute({
      path: '/webhooks/endpoints',
      summary: "List the tenant's webhook endpoints (never their secrets)",
      verb: 'listWebhookEndpoints',
      model: WebhookEndpoint,
      access: webhookEndpointAccess,
      query: listWebhookEndpointsQuery,
      schema: webhookEndpointSchema,
    }),
    findRoute({
      path: '/webhooks/endpoints/:id',
      summary: 'One webhook endpoint',
      verb: 'viewWebhookEndpoint',
      access: webhookEndpointAccess,
      schema: webhookEndpointSchema,
    }),
    updateRoute(
      operation({
        name: 'webhooks.updateEndpoint',
        verb: 'changeWebhookEndpoint',
        params: idParams,
        body: updateWebhookEndpointBody,
        run: withPresence(updateWebhookEndpoint),
      }),
      {
        method: 'patch',
        path: '/webhooks/endpoints/:id',
        summary:
          "Change an endpoint's URL (with your password or within 5 minutes of signing in: 403 reauthentication_required otherwise), event types or description, or disable or enable it",
        schema: webhookEndpointSchema,
      },
    ),
    deleteOperationRoute(
      operation({ name: 'webhooks.deleteEndpoint', verb: 'deleteWebhookEndpoint', params: idParams, run: deleteWebhookEndpoint }),
      { path: '/webhooks/endpoints/:id', summary: 'Delete an endpoint and its deliveries' },
    ),
    actionRoute(
      operation({
        name: 'webhooks.rotateSecret',
        verb: 'rotateWebhookSecret',
        params: idParams,
        body: rotateSecretBody,
        run: withPresence(rotateWebhookEndpointSecret),
      }),
      {
        path: '/webhooks/endpoints/:id/rotate-secret',
        summary:
          'A new signing secret, answered this once, with your password or within 5 minutes of signing in (403 reauthentication_required otherwise); the previous one keeps signing beside it for 24 hours',
        schema: endpointWithSecretSchema,
        secretAnswer: withoutSecretOnRepeat,
        view: withSecret,
      },
    ),
    childListRoute({
      path: '/webhooks/endpoints/:id/deliveries',
      summary: "An endpoint's deliveries: event, attempts with status codes and latency, next attempt",
      verb: 'listWebhookDeliveries',
      access: webhookEndpointAccess,
      query: listWebhookDeliveriesQuery,
      schema: webhookDeliverySchema,
      list: async (endpoint, { status, ...query }) => {
        const page = await paginate(
          WebhookDelivery,
          query,
          { endpointId: endpoint.id, ...(status && { status }) },
          { include: withEventAndAttempts },
        );
        return { ...page, items: page.items.map(deliveryView) };
      },
    }),
    acceptedRoute(
      operation({ name: 'webhooks.replayDelivery', verb: 'replayWebhookDeliveries', params: deliveryParams, run: replayWebhookDelivery }),
      {
        path: '/webhooks/endpoints/:id/deliveries/:deliveryId/replay',
        summary: 'Send one delivery again from its first attempt, with the same event ID; a disabled endpoint is 409',
        schema: webhookDeliverySchema,
        view: async (replayed) =>
          deliveryView(await WebhookDelivery.findByPk(replayed.id, { include: withEventAndAttempts, rejectOnEmpty: true })),
      },
    ),
    acceptedRoute(
      operation({
        name: 'webhooks.replaySince',
        verb: 'replayWebhookDeliveries',
        params: idParams,
        body: replaySinceBody,
        run: replayWebhookDeliveriesSince,
      }),
      {
        path: '/webhooks/endpoints/:id/replay',
        summary:
          'Send again every delivery of the endpoint whose event happened since a time (failed and cancelled ones; delivered ones too on request), oldest first, at most 1,000 per request, with the same event IDs',
        schema: replayedSinceSchema,
      },
    ),
  ]);
}
