import { DataTypes } from 'sequelize';
import { modelOf, required, primaryKey, tenantColumn, createdAtColumn } from './columns';

const ssoLoginColumns = () => ({
  stateHash: primaryKey<string>(DataTypes.STRING(64)),
  ...tenantColumn(),
  nonce: required.string(100),
  codeVerifier: required.string(200),
  expiresAt: required.date(),
  ...createdAtColumn(),
});

/**
 * A company sign-in under way: started by GET /auth/sso/:tenant/start, used up by the callback
 * that names its `state` (kept as a SHA-256 only), for its tenant only, before `expiresAt`.
 */
export class SsoLogin extends modelOf('sso_logins', ssoLoginColumns, { updatedAt: false }) {}
