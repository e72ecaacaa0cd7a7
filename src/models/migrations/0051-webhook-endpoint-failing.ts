/**
 * Since when an endpoint has failed without a success in between, and why it was disabled
 * (docs/webhooks.md, Failing endpoints): one failing for 5 days is disabled by the delivery itself.
 */
import { DataTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('webhook_endpoints', 'failing_since', { type: DataTypes.DATE });
  await qi.addColumn('webhook_endpoints', 'disabled_reason', { type: DataTypes.STRING(20) });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('webhook_endpoints', 'disabled_reason');
  await qi.removeColumn('webhook_endpoints', 'failing_since');
};
