/**
 * What a bulk operation's item is (docs/bulk-operations.md): a calendar's reschedule acts on
 * claims and acknowledgements alike; every earlier operation's items are claims.
 */
import { DataTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('bulk_operation_items', 'item_type', { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'claim' });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('bulk_operation_items', 'item_type');
};
