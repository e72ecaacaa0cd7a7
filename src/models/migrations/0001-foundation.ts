import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('tenants', {
    id: uuidPrimaryKey,
    name: { type: DataTypes.STRING(200), allowNull: false },
    slug: { type: DataTypes.STRING(63), allowNull: false, unique: true },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'active' },
    business_type: { type: DataTypes.STRING(100) },
    contact_email: { type: DataTypes.STRING(254) },
    phone: { type: DataTypes.STRING(40) },
    address: { type: DataTypes.TEXT },
    registration_id: { type: DataTypes.UUID, unique: true },
    ...timestamps,
  });

  await qi.createTable('tenant_settings', {
    tenant_id: { type: DataTypes.UUID, primaryKey: true, allowNull: false, ...references('tenants', 'CASCADE') },
    values: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    compliance_webhook_secret: { type: DataTypes.STRING(200) },
    ...timestamps,
  });

  await qi.createTable('users', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, ...references('tenants', 'CASCADE') },
    email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
    full_name: { type: DataTypes.STRING(200), allowNull: false },
    role: { type: DataTypes.STRING(30), allowNull: false },
    manager_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    password_hash: { type: DataTypes.STRING(100), allowNull: false },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    last_login_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  await qi.addIndex('users', ['tenant_id', 'role']);
  await qi.addIndex('users', ['manager_id']);

  await qi.createTable('refresh_tokens', {
    id: uuidPrimaryKey,
    user_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    family_id: { type: DataTypes.UUID, allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    used_at: { type: DataTypes.DATE },
    revoked_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  await qi.addIndex('refresh_tokens', ['family_id']);
  await qi.addIndex('refresh_tokens', ['user_id']);

  await qi.createTable('notifications', {
    id: uuidPrimaryKey,
    idempotency_key: { type: DataTypes.STRING(300), allowNull: false, unique: true },
    tenant_id: { type: DataTypes.UUID, ...references('tenants', 'CASCADE') },
    channel: { type: DataTypes.STRING(20), allowNull: false },
    recipients: { type: DataTypes.JSONB, allowNull: false },
    subject: { type: DataTypes.STRING(300), allowNull: false },
    body: { type: DataTypes.TEXT },
    payload: { type: DataTypes.JSONB },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    last_error: { type: DataTypes.TEXT },
    sent_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  await qi.addIndex('notifications', ['tenant_id', 'created_at']);

  await qi.createTable('idempotency_records', {
    id: uuidPrimaryKey,
    scope: { type: DataTypes.STRING(100), allowNull: false },
    key: { type: DataTypes.STRING(200), allowNull: false },
    method: { type: DataTypes.STRING(10), allowNull: false },
    path: { type: DataTypes.STRING(500), allowNull: false },
    request_hash: { type: DataTypes.STRING(64), allowNull: false },
    response_status: { type: DataTypes.INTEGER },
    response_body: { type: DataTypes.JSONB },
    ...timestamps,
  });
  await qi.addIndex('idempotency_records', ['scope', 'key'], { unique: true });
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['idempotency_records', 'notifications', 'refresh_tokens', 'users', 'tenant_settings', 'tenants']) {
    await qi.dropTable(table);
  }
};
