import { CreationOptional, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';

export class Tenant extends Row<Tenant> {
  declare name: string;
  declare slug: string;
  /** `offboarded`: the tombstone of a tenant that left (docs/privacy.md, Tenant offboarding). */
  declare status: CreationOptional<'active' | 'suspended' | 'offboarded'>;
  declare businessType: CreationOptional<string | null>;
  declare contactEmail: CreationOptional<string | null>;
  declare phone: CreationOptional<string | null>;
  declare address: CreationOptional<string | null>;
  /** The onboarding registration that provisioned this tenant: makes provisioning idempotent. */
  declare registrationId: CreationOptional<string | null>;
  /** Set while suspended (docs/onboarding.md, Suspending a tenant): since when and the platform admin's reason. */
  declare suspendedAt: CreationOptional<Date | null>;
  declare suspensionReason: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    Tenant.init(
      rowColumns({
        name: required.string(200),
        slug: required.string(63, { unique: true }),
        status: required.string(20, { defaultValue: 'active' }),
        businessType: optional.string(100),
        contactEmail: optional.string(254),
        phone: optional.string(40),
        address: optional.text(),
        registrationId: optional.uuid({ unique: true }),
        suspendedAt: optional.date(),
        suspensionReason: optional.string(500),
      }),
      tableOptions(sequelize, 'tenants'),
    );
  }
}
