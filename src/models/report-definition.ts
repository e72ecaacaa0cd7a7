import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { SAVED_REPORT_KINDS, type ReportPauseReason, type SavedReportKind } from '../contracts/scheduled-report';

export type { SavedReportKind };

/**
 * A saved report of a tenant (docs/reports.md, Saved reports): a report kind with the parameters
 * of its query, who receives it, and, when `schedule` is set, a cron expression in the tenant's
 * time zone by which a Temporal Schedule e-mails it. Soft-deleted.
 */
export class ReportDefinition extends Model<InferAttributes<ReportDefinition>, InferCreationAttributes<ReportDefinition>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ReportDefinition.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(120), allowNull: false },
        kind: { type: DataTypes.STRING(20), allowNull: false, validate: { isIn: [[...SAVED_REPORT_KINDS]] } },
        parameters: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        recipients: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        schedule: { type: DataTypes.STRING(120) },
        paused: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        pausedReason: { type: DataTypes.STRING(40) },
        ownerId: { type: DataTypes.UUID, allowNull: false },
        createdById: { type: DataTypes.UUID, allowNull: false },
        updatedById: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
        deletedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'report_definitions', underscored: true, paranoid: true },
    );
  }
}
