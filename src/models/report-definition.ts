import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import { SAVED_REPORT_KINDS, type ReportPauseReason, type SavedReportKind } from '../contracts/scheduled-report';

export type { SavedReportKind };

/**
 * A saved report of a tenant (docs/reports.md, Saved reports): a report kind with the parameters
 * of its query, who receives it, and, when `schedule` is set, a cron expression in the tenant's
 * time zone by which a Temporal Schedule e-mails it. Soft-deleted.
 */
export class ReportDefinition extends TenantRow<ReportDefinition> {
  declare name: string;
  declare kind: SavedReportKind;
  /** The report's query parameters, defaults filled in, as its schema validated them. */
  declare parameters: object;
  /** E-mail addresses, lower case. */
  declare recipients: string[];
  declare schedule: CreationOptional<string | null>;
  /** A paused schedule sends nothing until resumed. */
  declare paused: CreationOptional<boolean>;
  /** Why it was paused when nobody asked: `owner_ineligible`, its owner may no longer own it. */
  declare pausedReason: CreationOptional<ReportPauseReason | null>;
  /** On whose authority it is sent: its creator, until a tenant admin hands it over. */
  declare ownerId: string;
  declare createdById: string;
  declare updatedById: string;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ReportDefinition.init(
      {
        ...tenantRowColumns({
          name: required.string(120),
          kind: required.string(20, { validate: { isIn: [[...SAVED_REPORT_KINDS]] } }),
          parameters: required.json({ defaultValue: {} }),
          recipients: required.json({ defaultValue: [] }),
          schedule: optional.string(120),
          paused: required(DataTypes.BOOLEAN, { defaultValue: false }),
          pausedReason: optional.string(40),
          ownerId: required.uuid(),
          createdById: required.uuid(),
          updatedById: required.uuid(),
        }),
        deletedAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'report_definitions', { paranoid: true }),
    );
  }
}
