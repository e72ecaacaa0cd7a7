/**
 * Who waived a subscription's first premium, and why (docs/premiums.md): kept on the row, like a
 * cancellation's author and reason, so the waiver is read where the policy is.
 */
import { DataTypes } from 'sequelize';
import { references, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('subscriptions', 'first_premium_waived_by_id', { type: DataTypes.UUID, ...references('users', 'SET NULL') });
  await qi.addColumn('subscriptions', 'first_premium_waiver_reason', { type: DataTypes.STRING(500) });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('subscriptions', 'first_premium_waiver_reason');
  await qi.removeColumn('subscriptions', 'first_premium_waived_by_id');
};
