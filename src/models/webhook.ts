/** Events out (docs/webhooks.md; tables of migration 0046). */
import { modelOf, required, optional, nullByDefault, idColumn, createdAtColumn, tenantRowColumns } from './columns';

export type WebhookDisabledReason = 'admin' | 'failing';

const webhookEndpointColumns = () =>
  tenantRowColumns({
    url: required.string(2048),
    eventTypes: required.json<string[]>(),
    description: nullByDefault.string(500),
    secretSealed: required.text(),
    previousSecretSealed: nullByDefault.text(),
    previousSecretExpiresAt: nullByDefault.date(),
    /** A moved compliance webhook's old HMAC secret, sealed: it signs the deprecated X-Insurflow-Signature header. */
    legacySecretSealed: nullByDefault.text(),
    disabledAt: nullByDefault.date(),
    /** Why it was disabled: `admin` (asked for) or `failing` (every delivery failed for WEBHOOK_DISABLE_AFTER_MS). */
    disabledReason: nullByDefault.string<WebhookDisabledReason>(20),
    /** The first failure since its last success: null while it succeeds. */
    failingSince: nullByDefault.date(),
    createdBy: nullByDefault.uuid(),
  });

/** A tenant's subscriber. Its secrets are sealed; the API never shows them after creation or rotation. */
export class WebhookEndpoint extends modelOf('webhook_endpoints', webhookEndpointColumns) {
  /** What the API shows and the audit trail keeps: never a secret. */
  override toJSON(): object {
    return {
      id: this.id,
      url: this.url,
      eventTypes: this.eventTypes,
      description: this.description,
      enabled: this.disabledAt === null,
      disabledAt: this.disabledAt,
      disabledReason: this.disabledReason,
      failingSince: this.failingSince,
      previousSecretExpiresAt: this.previousSecretExpiresAt,
      legacySignature: this.legacySecretSealed !== null,
      createdBy: this.createdBy,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }
}

const webhookEventColumns = () => ({
  ...idColumn(),
  tenantId: optional.uuid(),
  type: required.string(100),
  subject: required.string(300),
  data: required.json<Record<string, unknown>>(),
  time: required.date(),
  dedupeKey: required.string(300, { unique: true }),
  ...createdAtColumn(),
});

/** One event, as CloudEvents data: `type` is the short name (`claim.stage_changed`). */
export class WebhookEvent extends modelOf('webhook_events', webhookEventColumns, { updatedAt: false }) {}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

const webhookDeliveryColumns = () =>
  tenantRowColumns({
    endpointId: required.uuid(),
    eventId: required.uuid(),
    status: required.string<WebhookDeliveryStatus>(20, { defaultValue: 'pending' }),
    attemptCount: required.integer({ defaultValue: 0 }),
    replays: required.integer({ defaultValue: 0 }),
    lastStatusCode: optional.integer(),
    nextAttemptAt: optional.date(),
    deliveredAt: optional.date(),
  });

/** One event owed to one endpoint. */
export class WebhookDelivery extends modelOf('webhook_deliveries', webhookDeliveryColumns) {
  declare event?: WebhookEvent;
  declare attempts?: WebhookDeliveryAttempt[];
}

const webhookDeliveryAttemptColumns = () => ({
  ...idColumn(),
  deliveryId: required.uuid(),
  attemptKey: required.string(100),
  statusCode: optional.integer(),
  failure: optional.string(30),
  latencyMs: required.integer(),
  attemptedAt: required.date(),
});

/** One POST of a delivery: its status code or failure category and how long it took. */
export class WebhookDeliveryAttempt extends modelOf('webhook_delivery_attempts', webhookDeliveryAttemptColumns, { timestamps: false }) {}
