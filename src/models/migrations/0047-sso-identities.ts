/**
 * The provider identity each staff member signs in with (docs/accounts.md, Company sign-in): the
 * issuer and its `sub`, which stay when a person's address changes at the provider. Accounts that
 * signed in before are linked on their next sign-in.
 */
import { DataTypes } from 'sequelize';
import { references, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('sso_identities', {
    issuer: { type: DataTypes.STRING(500), primaryKey: true },
    subject: { type: DataTypes.STRING(255), primaryKey: true },
    user_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  // One identity per account and provider: a tenant that moves to another provider links anew.
  await qi.addIndex('sso_identities', ['issuer', 'user_id'], { unique: true, name: 'sso_identities_issuer_user' });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('sso_identities');
};
