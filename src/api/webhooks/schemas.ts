import Joi from 'joi';
import { multiLineText, presenceProof, uuid, childIdParams } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { WEBHOOK_DELIVERY_STATUSES } from '../../models/webhook';
import { WEBHOOK_EVENT_PATTERNS } from '../../domain/webhooks/events';
import { REPLAY_SINCE_MAX_DAYS } from '../../shared/webhook-retention';
import { isoDate, nullable, object, oneOf, required } from '../../shared/typed-schema';

const url = Joi.string()
  .trim()
  .uri({ scheme: ['https', 'http'] })
  .max(2048)
  .description('https; http only to loopback outside production. A private or loopback address is refused (422).');
const eventTypes = Joi.array()
  .items(oneOf(WEBHOOK_EVENT_PATTERNS))
  .min(1)
  .max(20)
  .unique()
  .description('Event types, `<resource>.*` for every type of a resource, or `*` for all (GET /webhooks/event-types)');
const description = nullable(multiLineText(500));
const currentPassword = presenceProof.description(
  'your password, when the URL is chosen or changed; not needed within 5 minutes of signing in',
);

export const createWebhookEndpointBody = object({
  url: required(url),
  eventTypes: required(eventTypes),
  description,
  currentPassword,
}).label('CreateWebhookEndpoint');

export const rotateSecretBody = object({
  currentPassword: presenceProof.description('your password; not needed within 5 minutes of signing in'),
}).label('RotateWebhookSecret');

export const updateWebhookEndpointBody = object({
  url,
  eventTypes,
  description,
  enabled: Joi.boolean().description('false stops deliveries (pending ones are cancelled at their next attempt); true resumes'),
  currentPassword,
}).label('UpdateWebhookEndpoint');

export const listWebhookEndpointsQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['createdAt', 'url'], '-createdAt'),
});

export const listWebhookDeliveriesQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['createdAt'], '-createdAt'),
  status: oneOf(WEBHOOK_DELIVERY_STATUSES),
});

export const deliveryParams = childIdParams('deliveryId');

export const replaySinceBody = object({
  since: required(
    isoDate().description(`Events from this time on (ISO 8601): not in the future, at most ${REPLAY_SINCE_MAX_DAYS} days ago (else 422)`),
  ),
  includeDelivered: Joi.boolean().description('true: delivered ones too; default only those that failed or were cancelled'),
}).label('ReplayWebhookDeliveriesSince');

export const replayedSinceSchema = Joi.object({
  replayed: Joi.number().integer().description('Deliveries sent again (at most 1,000 per request)'),
  continueFrom: Joi.date().allow(null).description('Set when the limit stopped the replay: the event time to ask again from'),
}).label('ReplayedWebhookDeliveries');

export const webhookEndpointSchema = Joi.object({
  id: uuid,
  url: Joi.string(),
  eventTypes: Joi.array().items(Joi.string()),
  description: Joi.string().allow(null),
  enabled: Joi.boolean(),
  disabledAt: Joi.date().allow(null),
  legacySignature: Joi.boolean().description(
    'The moved compliance webhook: deliveries also carry the deprecated X-Insurflow-Signature headers',
  ),
  disabledReason: Joi.string()
    .valid('admin', 'failing')
    .allow(null)
    .description('admin: asked for; failing: every delivery failed for 5 days'),
  failingSince: Joi.date().allow(null).description('The first failed delivery since the last success; null while deliveries succeed'),
  previousSecretExpiresAt: Joi.date().allow(null).description('Until then the secret before the last rotation signs too'),
  createdBy: uuid.allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('WebhookEndpoint');

export const endpointWithSecretSchema = webhookEndpointSchema
  .keys({ secret: Joi.string().description('The signing secret, `whsec_…` (Standard Webhooks): shown this once, never again') })
  .label('WebhookEndpointWithSecret');

const attemptSchema = Joi.object({
  attemptKey: Joi.string().description('`<replay>-<attempt>`'),
  statusCode: Joi.number().integer().allow(null),
  failure: Joi.string().allow(null).description('Why it was not accepted: `http 5xx`, `timeout`, `unreachable`, `blocked`…'),
  latencyMs: Joi.number().integer(),
  attemptedAt: Joi.date(),
}).label('WebhookDeliveryAttempt');

export const webhookDeliverySchema = Joi.object({
  id: uuid,
  endpointId: uuid,
  event: Joi.object({ id: uuid, type: Joi.string(), subject: Joi.string(), time: Joi.date() }),
  status: Joi.string().valid(...WEBHOOK_DELIVERY_STATUSES),
  attemptCount: Joi.number().integer(),
  replays: Joi.number().integer(),
  lastStatusCode: Joi.number().integer().allow(null),
  nextAttemptAt: Joi.date().allow(null),
  deliveredAt: Joi.date().allow(null),
  createdAt: Joi.date(),
  attempts: Joi.array().items(attemptSchema),
}).label('WebhookDelivery');

export const eventTypesSchema = Joi.object({
  items: Joi.array().items(
    Joi.object({
      type: Joi.string().description('As subscribed to: `claim.stage_changed`'),
      cloudEventType: Joi.string().description('The CloudEvents `type`: `com.insurflow.claim.stage_changed`'),
      description: Joi.string(),
      schema: Joi.object().unknown(true).description('JSON Schema (2020-12) of the event’s `data`'),
    }),
  ),
}).label('WebhookEventTypes');
