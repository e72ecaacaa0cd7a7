import type { Transaction } from 'sequelize';
import { modelOf, required, optional, uuidKey, timestampColumns } from './columns';
import { DEFAULT_TENANT_SETTINGS, TenantSettingsValues } from '../shared/tenant-settings';

const tenantSettingsColumns = () => ({
  tenantId: uuidKey(),
  /** Only the values that differ from the defaults are stored. */
  values: required.json<Partial<TenantSettingsValues>>({ defaultValue: {} }),
  /** Secret for the compliance webhook's HMAC signature; never returned by the API. */
  complianceWebhookSecret: optional.string(200),
  ...timestampColumns(),
});

export class TenantSettings extends modelOf('tenant_settings', tenantSettingsColumns) {
  effective(): TenantSettingsValues {
    return { ...DEFAULT_TENANT_SETTINGS, ...this.values };
  }

  /** In `transaction` when given: a caller holding row locks reads on its own connection, not a second one of the pool. */
  static async forTenant(tenantId: string, transaction?: Transaction): Promise<TenantSettingsValues> {
    const row = await TenantSettings.findByPk(tenantId, { transaction });
    return row ? row.effective() : { ...DEFAULT_TENANT_SETTINGS };
  }

  /** Only the named settings of the tenant: what a run fixes into its input when it starts. */
  static async pickFor<K extends keyof TenantSettingsValues>(tenantId: string, keys: readonly K[]): Promise<Pick<TenantSettingsValues, K>> {
    const all = await TenantSettings.forTenant(tenantId);
    return Object.fromEntries(keys.map((key) => [key, all[key]])) as Pick<TenantSettingsValues, K>;
  }
}
