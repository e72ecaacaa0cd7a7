import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { DEFAULT_TENANT_SETTINGS, TenantSettingsValues } from '../shared/tenant-settings';

export class TenantSettings extends Model<InferAttributes<TenantSettings>, InferCreationAttributes<TenantSettings>> {
  declare tenantId: string;
  /** Only the values that differ from the defaults are stored. */
  declare values: CreationOptional<Partial<TenantSettingsValues>>;
  /** Secret for the compliance webhook's HMAC signature; never returned by the API. */
  declare complianceWebhookSecret: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  effective(): TenantSettingsValues {
    return { ...DEFAULT_TENANT_SETTINGS, ...this.values };
  }

  static async forTenant(tenantId: string): Promise<TenantSettingsValues> {
    const row = await TenantSettings.findByPk(tenantId);
    return row ? row.effective() : { ...DEFAULT_TENANT_SETTINGS };
  }

  static initModel(sequelize: Sequelize): void {
    TenantSettings.init(
      {
        tenantId: { type: DataTypes.UUID, primaryKey: true },
        values: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        complianceWebhookSecret: { type: DataTypes.STRING(200) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'tenant_settings', underscored: true },
    );
  }
}
