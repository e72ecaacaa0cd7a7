import { CreationOptional, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, timestampColumns, tableOptions } from './columns';
import { DEFAULT_TENANT_SETTINGS, TenantSettingsValues } from '../shared/tenant-settings';

export class TenantSettings extends Timestamped<TenantSettings> {
  declare tenantId: string;
  /** Only the values that differ from the defaults are stored. */
  declare values: CreationOptional<Partial<TenantSettingsValues>>;
  /** Secret for the compliance webhook's HMAC signature; never returned by the API. */
  declare complianceWebhookSecret: CreationOptional<string | null>;

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
        tenantId: uuidKey(),
        values: required.json({ defaultValue: {} }),
        complianceWebhookSecret: optional.string(200),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'tenant_settings'),
    );
  }
}
