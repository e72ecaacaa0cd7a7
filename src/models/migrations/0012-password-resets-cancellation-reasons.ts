/**
 * Password reset tokens (stored only as SHA-256, single use, short-lived) and the reason a
 * policyholder or admin may give when cancelling a subscription.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('password_reset_tokens', {
    id: uuidPrimaryKey,
    user_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    used_at: { type: DataTypes.DATE },
    created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('now') },
  });
  await qi.addIndex('password_reset_tokens', ['user_id']);
  await qi.addColumn('subscriptions', 'cancellation_reason', { type: DataTypes.STRING(500) });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('subscriptions', 'cancellation_reason');
  await qi.dropTable('password_reset_tokens');
};
