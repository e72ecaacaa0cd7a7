/**
 * Saved reports (docs/reports.md, Saved reports): one row per definition of a tenant, with the
 * parameters of its report and, when scheduled, its cron expression; its Temporal Schedule is
 * `report-<id>`.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('report_definitions', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    name: { type: DataTypes.STRING(120), allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false },
    parameters: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    recipients: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
    schedule: { type: DataTypes.STRING(120) },
    paused: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    updated_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    ...timestamps,
    deleted_at: { type: DataTypes.DATE },
  });
  await qi.sequelize.query(
    `ALTER TABLE report_definitions ADD CONSTRAINT report_definitions_kind CHECK (kind IN ('claims', 'policies', 'compliance'))`,
  );
  // The list of a tenant's definitions, newest first.
  await qi.addIndex('report_definitions', ['tenant_id', 'created_at']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('report_definitions');
};
