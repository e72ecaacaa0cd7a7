import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { Timestamped, required, uuidKey, timestampColumns, tableOptions } from './columns';
import type { Role } from '../shared/roles';

/**
 * A tenant's company sign-in (docs/accounts.md, Company sign-in): its OpenID provider and client,
 * the e-mail domains it may sign in, and which provider group gives which staff role.
 */
export class TenantSso extends Timestamped<TenantSso> {
  declare tenantId: string;
  declare issuer: string;
  declare clientId: string;
  /** Never returned by the API. */
  declare clientSecret: string;
  /** Lower-case domains; an address of another domain is refused. */
  declare allowedDomains: CreationOptional<string[]>;
  /** Provider group name → the staff role it gives. */
  declare groupRoles: CreationOptional<Record<string, Role>>;
  declare enabled: CreationOptional<boolean>;
  /** When set (and enabled), the tenant's staff cannot sign in with a password. */
  declare requiredForStaff: CreationOptional<boolean>;

  /** What the API shows: whether a secret is set, never the secret. */
  override toJSON(): object {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      clientSecretSet: Boolean(this.clientSecret),
      allowedDomains: this.allowedDomains,
      groupRoles: this.groupRoles,
      enabled: this.enabled,
      requiredForStaff: this.requiredForStaff,
      updatedAt: this.updatedAt,
    };
  }

  static initModel(sequelize: Sequelize): void {
    TenantSso.init(
      {
        tenantId: uuidKey(),
        issuer: required.string(500),
        clientId: required.string(200),
        clientSecret: required.string(500),
        allowedDomains: required.json({ defaultValue: [] }),
        groupRoles: required.json({ defaultValue: {} }),
        enabled: required(DataTypes.BOOLEAN, { defaultValue: false }),
        requiredForStaff: required(DataTypes.BOOLEAN, { defaultValue: false }),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'tenant_sso'),
    );
  }
}
