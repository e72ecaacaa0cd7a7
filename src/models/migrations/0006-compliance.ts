import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

const tenantColumn = { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') };

export const up: MigrationFn = async (qi) => {
  await qi.createTable('compliance_policies', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    title: { type: DataTypes.STRING(200), allowNull: false },
    description: { type: DataTypes.TEXT },
    created_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    ...timestamps,
  });
  await qi.addIndex('compliance_policies', ['tenant_id', 'title'], { unique: true });

  await qi.createTable('policy_versions', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    policy_id: { type: DataTypes.UUID, allowNull: false, ...references('compliance_policies', 'CASCADE') },
    version_number: { type: DataTypes.INTEGER, allowNull: false },
    content: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'draft' },
    deadline_days: { type: DataTypes.INTEGER },
    audience_roles: { type: DataTypes.JSONB },
    created_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    published_at: { type: DataTypes.DATE },
    published_by_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    due_at: { type: DataTypes.DATE },
    retired_at: { type: DataTypes.DATE },
    workflow_id: { type: DataTypes.STRING(200), unique: true },
    ...timestamps,
  });
  await qi.addIndex('policy_versions', ['policy_id', 'version_number'], { unique: true });
  // At most one published version per policy: the database refuses a second one even under a race.
  await qi.addIndex('policy_versions', ['policy_id'], {
    unique: true,
    where: { status: 'published' },
    name: 'policy_versions_one_published',
  });
  await qi.sequelize.query(
    `ALTER TABLE policy_versions ADD CONSTRAINT policy_versions_status CHECK (status IN ('draft', 'published', 'retired')),
     ADD CONSTRAINT policy_versions_deadline_positive CHECK (deadline_days IS NULL OR deadline_days > 0)`,
  );

  await qi.createTable('acknowledgements', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    version_id: { type: DataTypes.UUID, allowNull: false, ...references('policy_versions', 'CASCADE') },
    employee_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    due_at: { type: DataTypes.DATE, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    acknowledged_at: { type: DataTypes.DATE },
    reminders_sent: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    escalation_level: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    workflow_id: { type: DataTypes.STRING(200), unique: true },
    ...timestamps,
  });
  // One acknowledgement per employee and version: makes the rollout's batches idempotent.
  await qi.addIndex('acknowledgements', ['version_id', 'employee_id'], { unique: true });
  await qi.addIndex('acknowledgements', ['version_id', 'status']);
  await qi.addIndex('acknowledgements', ['employee_id', 'status']);
  await qi.sequelize.query(
    `ALTER TABLE acknowledgements ADD CONSTRAINT acknowledgements_status
     CHECK (status IN ('pending', 'acknowledged', 'overdue', 'escalated', 'superseded'))`,
  );

  await qi.createTable('escalation_alerts', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    acknowledgement_id: { type: DataTypes.UUID, allowNull: false, ...references('acknowledgements', 'CASCADE') },
    level: { type: DataTypes.INTEGER, allowNull: false },
    channel: { type: DataTypes.STRING(20), allowNull: false },
    recipients: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
    delivery_status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    last_error: { type: DataTypes.TEXT },
    sent_at: { type: DataTypes.DATE },
    ...timestamps,
  });
  // One alert per acknowledgement, level and channel: a retried escalation records nothing twice.
  await qi.addIndex('escalation_alerts', ['acknowledgement_id', 'level', 'channel'], { unique: true });
  await qi.addIndex('escalation_alerts', ['tenant_id', 'created_at']);
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['escalation_alerts', 'acknowledgements', 'policy_versions', 'compliance_policies']) await qi.dropTable(table);
};
