/** Events out (docs/webhooks.md; tables of migration 0046). */
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** A tenant's subscriber. Its secrets are sealed; the API never shows them after creation or rotation. */
export type WebhookDisabledReason = 'admin' | 'failing';

export class WebhookEndpoint extends Model<InferAttributes<WebhookEndpoint>, InferCreationAttributes<WebhookEndpoint>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

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
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        url: { type: DataTypes.STRING(2048), allowNull: false },
        eventTypes: { type: DataTypes.JSONB, allowNull: false },
        description: { type: DataTypes.STRING(500), allowNull: true, defaultValue: null },
        secretSealed: { type: DataTypes.TEXT, allowNull: false },
        previousSecretSealed: { type: DataTypes.TEXT, allowNull: true, defaultValue: null },
        previousSecretExpiresAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        legacySecretSealed: { type: DataTypes.TEXT, allowNull: true, defaultValue: null },
        disabledAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        disabledReason: { type: DataTypes.STRING(20), allowNull: true, defaultValue: null },
        failingSince: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        createdBy: { type: DataTypes.UUID, allowNull: true, defaultValue: null },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhook_endpoints', underscored: true },
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
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID },
        type: { type: DataTypes.STRING(100), allowNull: false },
        subject: { type: DataTypes.STRING(300), allowNull: false },
        data: { type: DataTypes.JSONB, allowNull: false },
        time: { type: DataTypes.DATE, allowNull: false },
        dedupeKey: { type: DataTypes.STRING(300), allowNull: false, unique: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhook_events', underscored: true, updatedAt: false },
    );
  }
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event owed to one endpoint. */
export class WebhookDelivery extends Model<InferAttributes<WebhookDelivery>, InferCreationAttributes<WebhookDelivery>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare endpointId: string;
  declare eventId: string;
  declare status: CreationOptional<WebhookDeliveryStatus>;
  declare attemptCount: CreationOptional<number>;
  declare replays: CreationOptional<number>;
  declare lastStatusCode: CreationOptional<number | null>;
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare deliveredAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare event?: WebhookEvent;
  declare attempts?: WebhookDeliveryAttempt[];

  static initModel(sequelize: Sequelize): void {
    WebhookDelivery.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        endpointId: { type: DataTypes.UUID, allowNull: false },
        eventId: { type: DataTypes.UUID, allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        attemptCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        replays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastStatusCode: { type: DataTypes.INTEGER },
        nextAttemptAt: { type: DataTypes.DATE },
        deliveredAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhook_deliveries', underscored: true },
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
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        deliveryId: { type: DataTypes.UUID, allowNull: false },
        attemptKey: { type: DataTypes.STRING(100), allowNull: false },
        statusCode: { type: DataTypes.INTEGER },
        failure: { type: DataTypes.STRING(30) },
        latencyMs: { type: DataTypes.INTEGER, allowNull: false },
        attemptedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'webhook_delivery_attempts', underscored: true, timestamps: false },
    );
  }
}
