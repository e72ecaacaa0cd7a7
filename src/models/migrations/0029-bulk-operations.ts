/**
 * Bulk actions run as workflows (docs/bulk-operations.md): one row per operation (who asked what,
 * its run) and one per item it acts on, pending until the run's activity has sent the item its
 * Update, then done or failed with the reason it was refused. Progress is a count of the rows, and
 * a retried activity finds its item already handled.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('bulk_operations', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    kind: { type: DataTypes.STRING(40), allowNull: false },
    requested_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    parameters: { type: DataTypes.JSONB, allowNull: false },
    workflow_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    ...timestamps,
  });
  await qi.addIndex('bulk_operations', ['tenant_id', 'created_at']);

  await qi.createTable('bulk_operation_items', {
    operation_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('bulk_operations', 'CASCADE') },
    item_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    reason: { type: DataTypes.STRING(500) },
    handled_at: { type: DataTypes.DATE },
  });
  await qi.sequelize.query(
    `ALTER TABLE bulk_operation_items ADD CONSTRAINT bulk_operation_items_status CHECK (status IN ('pending', 'done', 'failed'))`,
  );
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['bulk_operation_items', 'bulk_operations']) await qi.dropTable(table);
};
