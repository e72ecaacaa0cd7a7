/**
 * Events out (docs/webhooks.md).
 *
 * `webhook_endpoints`: a tenant's subscriber: its URL, the event types it takes (wildcards such as
 * `claim.*`), its signing secret sealed (src/services/sealed-secret.ts), and after a rotation the
 * previous one until it expires.
 *
 * `webhook_events`: every event as CloudEvents data, written in the transaction of the change it
 * tells of; `dedupe_key` names the change, so a retried activity records it once.
 *
 * `webhook_deliveries`: one event to one endpoint, and `webhook_delivery_attempts` each POST of it,
 * once per (delivery, attempt key), so a retried activity does not record an attempt twice.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('webhook_endpoints', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    url: { type: DataTypes.STRING(2048), allowNull: false },
    event_types: { type: DataTypes.JSONB, allowNull: false },
    description: { type: DataTypes.STRING(500) },
    secret_sealed: { type: DataTypes.TEXT, allowNull: false },
    previous_secret_sealed: { type: DataTypes.TEXT },
    previous_secret_expires_at: { type: DataTypes.DATE },
    disabled_at: { type: DataTypes.DATE },
    created_by: { type: DataTypes.UUID },
    ...timestamps,
  });
  await qi.addIndex('webhook_endpoints', ['tenant_id', 'created_at']);

  await qi.createTable('webhook_events', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, ...references('tenants', 'CASCADE') },
    type: { type: DataTypes.STRING(100), allowNull: false },
    subject: { type: DataTypes.STRING(300), allowNull: false },
    data: { type: DataTypes.JSONB, allowNull: false },
    time: { type: DataTypes.DATE, allowNull: false },
    dedupe_key: { type: DataTypes.STRING(300), allowNull: false, unique: true },
    created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
  });

  await qi.createTable('webhook_deliveries', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    endpoint_id: { type: DataTypes.UUID, allowNull: false, ...references('webhook_endpoints', 'CASCADE') },
    event_id: { type: DataTypes.UUID, allowNull: false, ...references('webhook_events', 'CASCADE') },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    attempt_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    replays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    last_status_code: { type: DataTypes.INTEGER },
    next_attempt_at: { type: DataTypes.DATE },
    delivered_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  await qi.addIndex('webhook_deliveries', ['endpoint_id', 'created_at']);
  await qi.addIndex('webhook_deliveries', ['endpoint_id', 'event_id'], { unique: true });

  await qi.createTable('webhook_delivery_attempts', {
    id: uuidPrimaryKey,
    delivery_id: { type: DataTypes.UUID, allowNull: false, ...references('webhook_deliveries', 'CASCADE') },
    attempt_key: { type: DataTypes.STRING(100), allowNull: false },
    status_code: { type: DataTypes.INTEGER },
    failure: { type: DataTypes.STRING(30) },
    latency_ms: { type: DataTypes.INTEGER, allowNull: false },
    attempted_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('webhook_delivery_attempts', ['delivery_id', 'attempt_key'], { unique: true });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('webhook_delivery_attempts');
  await qi.dropTable('webhook_deliveries');
  await qi.dropTable('webhook_events');
  await qi.dropTable('webhook_endpoints');
};
