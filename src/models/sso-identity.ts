import { DataTypes } from 'sequelize';
import { modelOf, required, primaryKey, createdAtColumn } from './columns';

const ssoIdentityColumns = () => ({
  issuer: primaryKey<string>(DataTypes.STRING(500)),
  subject: primaryKey<string>(DataTypes.STRING(255)),
  userId: required.uuid(),
  ...createdAtColumn(),
});

/**
 * The identity at an OpenID provider (issuer and `sub`) that a staff member signs in with: one
 * per account and provider, so another person at the provider claiming the same address is not
 * that account.
 */
export class SsoIdentity extends modelOf('sso_identities', ssoIdentityColumns, { updatedAt: false }) {}
