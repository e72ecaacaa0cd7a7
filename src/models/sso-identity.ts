import { DataTypes } from 'sequelize';
import { modelOf, required, primaryKey, createdAtColumn } from './columns';

const ssoIdentityColumns = () => ({
  issuer: primaryKey<string>(DataTypes.STRING(500)),
  subject: primaryKey<string>(DataTypes.STRING(255)),
  userId: required.uuid(),
  /**
   * Whether the account's role follows the person's groups at the provider: true for an account
   * company sign-in created, false for one that existed before it was linked (its role stays the
   * one a tenant admin gave it).
   */
  roleFromGroups: required.boolean({ defaultValue: true }),
  ...createdAtColumn(),
});

/**
 * The identity at an OpenID provider (issuer and `sub`) that a staff member signs in with: one
 * per account and provider, so another person at the provider claiming the same address is not
 * that account.
 */
export class SsoIdentity extends modelOf('sso_identities', ssoIdentityColumns, { updatedAt: false }) {}
