/**
 * Compliance requirements per customer (docs/compliance.md, Requirements): what a tenant must
 * show (a framework control such as "ISO 27001 A.5.1"), who owns it, by when, and the compliance
 * policies whose acknowledgements satisfy it. And "remind now": one row per remind run and one per
 * person it reminds, so its progress is a count of rows and a retried batch reminds nobody twice.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

const tenantColumn = { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') };

export const up: MigrationFn = async (qi) => {
  await qi.createTable('compliance_requirements', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    title: { type: DataTypes.STRING(200), allowNull: false },
    framework_ref: { type: DataTypes.STRING(100), allowNull: false },
    description: { type: DataTypes.TEXT },
    owner_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    due_at: { type: DataTypes.DATE, allowNull: false },
    created_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    ...timestamps,
    deleted_at: { type: DataTypes.DATE },
  });
  await qi.addIndex('compliance_requirements', ['tenant_id', 'due_at']);

  await qi.createTable('compliance_requirement_policies', {
    requirement_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('compliance_requirements', 'CASCADE') },
    policy_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('compliance_policies', 'CASCADE') },
    tenant_id: tenantColumn,
  });
  await qi.addIndex('compliance_requirement_policies', ['policy_id']);

  await qi.createTable('compliance_reminds', {
    id: uuidPrimaryKey,
    tenant_id: tenantColumn,
    version_id: { type: DataTypes.UUID, allowNull: false, ...references('policy_versions', 'CASCADE') },
    requested_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    workflow_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    ...timestamps,
  });
  await qi.addIndex('compliance_reminds', ['version_id', 'created_at']);

  await qi.createTable('compliance_remind_recipients', {
    remind_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('compliance_reminds', 'CASCADE') },
    acknowledgement_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('acknowledgements', 'CASCADE') },
    // pending until its batch handles it; then sent, or skipped when it was closed meanwhile.
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    handled_at: { type: DataTypes.DATE },
  });
  await qi.sequelize.query(
    `ALTER TABLE compliance_remind_recipients ADD CONSTRAINT compliance_remind_recipients_status
     CHECK (status IN ('pending', 'sent', 'skipped'))`,
  );
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['compliance_remind_recipients', 'compliance_reminds', 'compliance_requirement_policies', 'compliance_requirements'])
    await qi.dropTable(table);
};
