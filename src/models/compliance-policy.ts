import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';

/** A compliance policy of a tenant; its text lives in its versions. */
export class CompliancePolicy extends TenantRow<CompliancePolicy> {
  declare title: string;
  declare description: CreationOptional<string | null>;
  /** Every how many days after its current version's publication everyone attests again; null: once. */
  declare recurrenceDays: CreationOptional<number | null>;
  /** A retired policy starts no more attestation cycles. */
  declare retiredAt: CreationOptional<Date | null>;
  declare createdById: string;

  static initModel(sequelize: Sequelize): void {
    CompliancePolicy.init(
      tenantRowColumns({
        title: required.string(200),
        description: optional.text(),
        recurrenceDays: optional.integer(),
        retiredAt: optional.date(),
        createdById: required.uuid(),
      }),
      tableOptions(sequelize, 'compliance_policies'),
    );
  }
}
