/**
 * The AsyncAPI 3.0 document of the events Insurflow sends to webhook endpoints (docs/webhooks.md),
 * generated from the one catalogue (WEBHOOK_EVENT_TYPES) that GET /webhooks/event-types answers
 * and that every recorded event's type is checked against. Served at /api/asyncapi.json.
 */
import {
  CLOUDEVENT_TYPE_PREFIX,
  CLOUDEVENTS_CONTENT_TYPE,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_EVENT_TYPE_NAMES,
  type WebhookEventType,
} from '../../domain/webhooks/events';

/** The media type alone (AsyncAPI's `contentType` takes no parameters). */
const CONTENT_TYPE = CLOUDEVENTS_CONTENT_TYPE.split(';')[0];

/** `claim.stage_changed` → `ClaimStageChanged`: a name AsyncAPI's component keys accept. */
const messageName = (type: string) =>
  type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** The media type of the CloudEvents HTTP binding's structured mode, and the Standard Webhooks headers, of every delivery. */
const headers = {
  type: 'object',
  required: ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'],
  properties: {
    'content-type': {
      type: 'string',
      const: CLOUDEVENTS_CONTENT_TYPE,
      description: 'The body is a whole CloudEvent (structured mode of the CloudEvents HTTP binding)',
    },
    'webhook-id': { type: 'string', description: "The event's id: the same on every retry and replay (deduplicate by it)" },
    'webhook-timestamp': { type: 'string', pattern: '^[0-9]+$', description: 'Seconds since the epoch, of this attempt' },
    'webhook-signature': {
      type: 'string',
      description:
        'Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the secret after `whsec_`; two during the 24 hours after a rotation',
    },
  },
};

/** The CloudEvents 1.0 envelope of one type, its `data` the type's own schema. */
function envelope(type: string, data: object): object {
  return {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
    additionalProperties: false,
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: { type: 'string', format: 'uuid' },
      source: { type: 'string', description: '`/insurflow/tenants/<tenantId>`, or `/insurflow/platform` for a platform event' },
      type: { type: 'string', const: `${CLOUDEVENT_TYPE_PREFIX}${type}` },
      subject: { type: 'string', description: 'The resource the event is about, `<resource>/<id>`' },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { type: 'string', const: 'application/json' },
      data,
    },
  };
}

export function buildAsyncApi(version: string): object {
  /** One entry per event type, keyed as `entry` says: its channels, operations and messages are each such a map. */
  const perEventType = (entry: (type: WebhookEventType, name: string) => [string, object]) =>
    Object.fromEntries(WEBHOOK_EVENT_TYPE_NAMES.map((type) => entry(type, messageName(type))));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Insurflow events',
      version,
      description:
        'What a tenant admin can subscribe a webhook endpoint to (POST /api/v1/webhooks/endpoints). Each event is POSTed as a CloudEvents 1.0 JSON document in structured mode (Content-Type: application/cloudevents+json), signed as Standard Webhooks says, retried on a schedule for about 27 hours; delivery is at least once and in no guaranteed order.',
    },
    defaultContentType: CONTENT_TYPE,
    channels: perEventType((type, name) => [
      name,
      {
        // The subscriber's own endpoint URL: set per endpoint, so not known here.
        address: null,
        title: type,
        description: WEBHOOK_EVENT_TYPES[type].description,
        messages: { [name]: { $ref: `#/components/messages/${name}` } },
      },
    ]),
    operations: perEventType((type, name) => [
      `send${name}`,
      {
        action: 'send',
        channel: { $ref: `#/channels/${name}` },
        summary: `POST a ${type} event to every enabled endpoint of the tenant subscribed to it`,
        messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
      },
    ]),
    components: {
      messages: perEventType((type, name) => [
        name,
        {
          name: type,
          title: type,
          summary: WEBHOOK_EVENT_TYPES[type].description,
          contentType: CONTENT_TYPE,
          headers,
          payload: envelope(type, WEBHOOK_EVENT_TYPES[type].data),
        },
      ]),
    },
  };
}
