import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  // One row per tenant and year; claim numbers are taken from it with an atomic upsert.
  await qi.createTable('claim_number_counters', {
    tenant_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('tenants', 'CASCADE') },
    year: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    last_value: { type: DataTypes.INTEGER, allowNull: false },
  });

  await qi.createTable('claims', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    claim_number: { type: DataTypes.STRING(30), allowNull: false },
    subscription_id: { type: DataTypes.UUID, allowNull: false, ...references('subscriptions') },
    claimant_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    filed_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    incident_date: { type: DataTypes.DATEONLY, allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false },
    amount_claimed: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    amount_approved: { type: DataTypes.DECIMAL(12, 2) },
    status: { type: DataTypes.STRING(30), allowNull: false, defaultValue: 'reported' },
    assignee_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    denial_reason: { type: DataTypes.STRING(200) },
    workflow_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    run_id: { type: DataTypes.STRING(64) },
    ...timestamps,
  });
  await qi.addIndex('claims', ['tenant_id', 'claim_number'], { unique: true });
  await qi.addIndex('claims', ['tenant_id', 'status']);
  await qi.addIndex('claims', ['tenant_id', 'assignee_id']);
  await qi.addIndex('claims', ['claimant_id']);
  await qi.sequelize.query(
    `ALTER TABLE claims ADD CONSTRAINT claims_amounts_positive CHECK (amount_claimed > 0 AND (amount_approved IS NULL OR amount_approved > 0)),
     ADD CONSTRAINT claims_approved_within_claimed CHECK (amount_approved IS NULL OR amount_approved <= amount_claimed)`,
  );

  await qi.createTable('claim_history', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    claim_id: { type: DataTypes.UUID, allowNull: false, ...references('claims', 'CASCADE') },
    // Position of the transition in the claim's workflow: makes recording it idempotent.
    sequence: { type: DataTypes.INTEGER, allowNull: false },
    actor_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    from_status: { type: DataTypes.STRING(30) },
    to_status: { type: DataTypes.STRING(30), allowNull: false },
    note: { type: DataTypes.TEXT },
    occurred_at: { type: DataTypes.DATE, allowNull: false },
    created_at: timestamps.created_at,
  });
  await qi.addIndex('claim_history', ['claim_id', 'sequence'], { unique: true });

  await qi.createTable('claim_notes', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    claim_id: { type: DataTypes.UUID, allowNull: false, ...references('claims', 'CASCADE') },
    author_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    body: { type: DataTypes.TEXT, allowNull: false },
    ...timestamps,
  });
  await qi.addIndex('claim_notes', ['claim_id', 'created_at']);

  await qi.createTable('claim_documents', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    claim_id: { type: DataTypes.UUID, allowNull: false, ...references('claims', 'CASCADE') },
    uploaded_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    file_name: { type: DataTypes.STRING(200), allowNull: false },
    content_type: { type: DataTypes.STRING(100), allowNull: false },
    size_bytes: { type: DataTypes.INTEGER, allowNull: false },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    storage_key: { type: DataTypes.STRING(300), allowNull: false, unique: true },
    ...timestamps,
  });
  await qi.addIndex('claim_documents', ['claim_id', 'created_at']);

  await qi.createTable('payments', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    // At most one disbursement per claim, whatever retries the payment activity goes through.
    claim_id: { type: DataTypes.UUID, allowNull: false, unique: true, ...references('claims', 'CASCADE') },
    amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    reference: { type: DataTypes.STRING(60), allowNull: false },
    paid_at: { type: DataTypes.DATE, allowNull: false },
    ...timestamps,
  });
  await qi.addIndex('payments', ['tenant_id', 'reference'], { unique: true });
  await qi.sequelize.query('ALTER TABLE payments ADD CONSTRAINT payments_amount_positive CHECK (amount > 0)');
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['payments', 'claim_documents', 'claim_notes', 'claim_history', 'claims', 'claim_number_counters'])
    await qi.dropTable(table);
};
