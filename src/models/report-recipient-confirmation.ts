import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';

/**
 * An address outside the tenant's staff that a report definition names as a recipient, and the
 * link mailed to it (docs/reports.md, Who receives a report): stored only as the link's SHA-256,
 * usable once, until it expires. The address receives the definition's report once `confirmedAt`
 * is set, never before. One row per definition and address; a new link replaces the old.
 */
export class ReportRecipientConfirmation extends TenantRow<ReportRecipientConfirmation> {
  declare definitionId: string;
  /** Lower case, as the definition's recipients. */
  declare email: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare confirmedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ReportRecipientConfirmation.init(
      tenantRowColumns({
        definitionId: required.uuid(),
        email: required.string(254),
        tokenHash: required.string(64, { unique: true }),
        expiresAt: required.date(),
        confirmedAt: optional.date(),
      }),
      tableOptions(sequelize, 'report_recipient_confirmations'),
    );
  }
}
