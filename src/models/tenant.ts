import { QueryTypes, type Transaction } from 'sequelize';
import { modelOf, required, optional, rowColumns } from './columns';

const tenantColumns = () =>
  rowColumns({
    name: required.string(200),
    slug: required.string(63, { unique: true }),
    /** `offboarded`: the tombstone of a tenant that left (docs/privacy.md, Tenant offboarding). */
    status: required.string<'active' | 'suspended' | 'offboarded'>(20, { defaultValue: 'active' }),
    businessType: optional.string(100),
    contactEmail: optional.string(254),
    phone: optional.string(40),
    address: optional.text(),
    /** The onboarding registration that provisioned this tenant: makes provisioning idempotent. */
    registrationId: optional.uuid({ unique: true }),
    /** Set while suspended (docs/onboarding.md, Suspending a tenant): since when and the platform admin's reason. */
    suspendedAt: optional.date(),
    suspensionReason: optional.string(500),
  });

export class Tenant extends modelOf('tenants', tenantColumns) {
  /**
   * Holds the tenant's row until `transaction` ends, so that writes checking a per-tenant limit take
   * turns: the second counts what the first added. NO KEY UPDATE: rows that merely reference the
   * tenant are still inserted meanwhile.
   */
  static async holdForQuota(tenantId: string, transaction: Transaction): Promise<void> {
    await Tenant.sequelize!.query('SELECT id FROM tenants WHERE id = :tenantId FOR NO KEY UPDATE', {
      replacements: { tenantId },
      type: QueryTypes.SELECT,
      transaction,
    });
  }
}
