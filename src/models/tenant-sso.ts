import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { Role } from '../shared/roles';

/**
 * A tenant's company sign-in (docs/accounts.md, Company sign-in): its OpenID provider and client,
 * the e-mail domains it may sign in, and which provider group gives which staff role.
 */
export class TenantSso extends Model<InferAttributes<TenantSso>, InferCreationAttributes<TenantSso>> {
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

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
        tenantId: { type: DataTypes.UUID, primaryKey: true },
        issuer: { type: DataTypes.STRING(500), allowNull: false },
        clientId: { type: DataTypes.STRING(200), allowNull: false },
        clientSecret: { type: DataTypes.STRING(500), allowNull: false },
        allowedDomains: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        groupRoles: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        requiredForStaff: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'tenant_sso', underscored: true },
    );
  }
}
