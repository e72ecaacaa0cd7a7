/**
 * E-mail verification (docs/security.md, account enumeration): a self-registered account works
 * only once the link mailed to its address is followed, and a company registration reaches the
 * platform admins only then. Every account that exists already was made by an admin, the
 * onboarding or an earlier registration, so it counts as verified.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('users', 'email_verified_at', { type: DataTypes.DATE, defaultValue: qi.sequelize.fn('now') });
  await qi.createTable('email_verification_tokens', {
    id: uuidPrimaryKey,
    purpose: { type: DataTypes.STRING(20), allowNull: false },
    // The account it activates (purpose "account"), or the registration it submits ("registration").
    user_id: { type: DataTypes.UUID, ...references('users', 'CASCADE') },
    registration: { type: DataTypes.JSONB },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    used_at: { type: DataTypes.DATE },
    created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('now') },
  });
  await qi.addIndex('email_verification_tokens', ['user_id']);
  await qi.addIndex('email_verification_tokens', ['expires_at']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('email_verification_tokens');
  await qi.removeColumn('users', 'email_verified_at');
};
