/** Events out (docs/webhooks.md; tables of migration 0046). */
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { TenantRow, required, optional, nullByDefault, idColumn, tenantRowColumns, tableOptions } from './columns';

/** A tenant's subscriber. Its secrets are sealed; the API never shows them after creation or rotation. */
export type WebhookDisabledReason = 'admin' | 'failing';

export class WebhookEndpoint extends TenantRow<WebhookEndpoint> {
  declare url: string;
  declare eventTypes: string[];
  declare description: CreationOptional<string | null>;
  declare secretSealed: string;
  declare previousSecretSealed: CreationOptional<string | null>;
  declare previousSecretExpiresAt: CreationOptional<Date | null>;
  /** A moved compliance webhook's old HMAC secret, sealed: it signs the deprecated X-Insurflow-Signature header. */
  declare legacySecretSealed: CreationOptional<string | null>;
  declare disabledAt: CreationOptional<Date | null>;
  /** Why it was disabled: `admin` (asked for) or `failing` (every delivery failed for WEBHOOK_DISABLE_AFTER_MS). */
  declare disabledReason: CreationOptional<WebhookDisabledReason | null>;
  /** The first failure since its last success: null while it succeeds. */
  declare failingSince: CreationOptional<Date | null>;
  declare createdBy: CreationOptional<string | null>;

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

  static initModel(sequelize: Sequelize): void {
    WebhookEndpoint.init(
      tenantRowColumns({
        url: required.string(2048),
        eventTypes: required.json(),
        description: nullByDefault(DataTypes.STRING(500)),
        secretSealed: required.text(),
        previousSecretSealed: nullByDefault(DataTypes.TEXT),
        previousSecretExpiresAt: nullByDefault(DataTypes.DATE),
        legacySecretSealed: nullByDefault(DataTypes.TEXT),
        disabledAt: nullByDefault(DataTypes.DATE),
        disabledReason: nullByDefault(DataTypes.STRING(20)),
        failingSince: nullByDefault(DataTypes.DATE),
        createdBy: nullByDefault(DataTypes.UUID),
      }),
      tableOptions(sequelize, 'webhook_endpoints'),
    );
  }
}

/** One event, as CloudEvents data: `type` is the short name (`claim.stage_changed`). */
export class WebhookEvent extends Model<InferAttributes<WebhookEvent>, InferCreationAttributes<WebhookEvent>> {
  declare id: CreationOptional<string>;
  declare tenantId: string | null;
  declare type: string;
  declare subject: string;
  declare data: Record<string, unknown>;
  declare time: Date;
  declare dedupeKey: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    WebhookEvent.init(
      {
        ...idColumn(),
        tenantId: optional.uuid(),
        type: required.string(100),
        subject: required.string(300),
        data: required.json(),
        time: required.date(),
        dedupeKey: required.string(300, { unique: true }),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'webhook_events', { updatedAt: false }),
    );
  }
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event owed to one endpoint. */
export class WebhookDelivery extends TenantRow<WebhookDelivery> {
  declare endpointId: string;
  declare eventId: string;
  declare status: CreationOptional<WebhookDeliveryStatus>;
  declare attemptCount: CreationOptional<number>;
  declare replays: CreationOptional<number>;
  declare lastStatusCode: CreationOptional<number | null>;
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare deliveredAt: CreationOptional<Date | null>;
  declare event?: WebhookEvent;
  declare attempts?: WebhookDeliveryAttempt[];

  static initModel(sequelize: Sequelize): void {
    WebhookDelivery.init(
      tenantRowColumns({
        endpointId: required.uuid(),
        eventId: required.uuid(),
        status: required.string(20, { defaultValue: 'pending' }),
        attemptCount: required.integer({ defaultValue: 0 }),
        replays: required.integer({ defaultValue: 0 }),
        lastStatusCode: optional.integer(),
        nextAttemptAt: optional.date(),
        deliveredAt: optional.date(),
      }),
      tableOptions(sequelize, 'webhook_deliveries'),
    );
  }
}

/** One POST of a delivery: its status code or failure category and how long it took. */
export class WebhookDeliveryAttempt extends Model<
  InferAttributes<WebhookDeliveryAttempt>,
  InferCreationAttributes<WebhookDeliveryAttempt>
> {
  declare id: CreationOptional<string>;
  declare deliveryId: string;
  declare attemptKey: string;
  declare statusCode: number | null;
  declare failure: string | null;
  declare latencyMs: number;
  declare attemptedAt: Date;

  static initModel(sequelize: Sequelize): void {
    WebhookDeliveryAttempt.init(
      {
        ...idColumn(),
        deliveryId: required.uuid(),
        attemptKey: required.string(100),
        statusCode: optional.integer(),
        failure: optional.string(30),
        latencyMs: required.integer(),
        attemptedAt: required.date(),
      },
      tableOptions(sequelize, 'webhook_delivery_attempts', { timestamps: false }),
    );
  }
}
