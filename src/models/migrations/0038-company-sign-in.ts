/**
 * Company sign-in (docs/accounts.md, Company sign-in): `tenant_sso` holds a tenant's OpenID
 * provider (the client secret is never returned by the API); `sso_logins` holds the sign-ins under
 * way: the SHA-256 of their `state`, their nonce and PKCE verifier, used once and briefly.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('tenant_sso', {
    tenant_id: { type: DataTypes.UUID, primaryKey: true, ...references('tenants', 'CASCADE') },
    issuer: { type: DataTypes.STRING(500), allowNull: false },
    client_id: { type: DataTypes.STRING(200), allowNull: false },
    client_secret: { type: DataTypes.STRING(500), allowNull: false },
    allowed_domains: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
    group_roles: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    required_for_staff: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    ...timestamps,
  });
  await qi.createTable('sso_logins', {
    state_hash: { type: DataTypes.STRING(64), primaryKey: true },
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    nonce: { type: DataTypes.STRING(100), allowNull: false },
    code_verifier: { type: DataTypes.STRING(200), allowNull: false },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('sso_logins', ['expires_at']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('sso_logins');
  await qi.dropTable('tenant_sso');
};
