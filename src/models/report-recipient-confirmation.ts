import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * An address outside the tenant's staff that a report definition names as a recipient, and the
 * link mailed to it (docs/reports.md, Who receives a report): stored only as the link's SHA-256,
 * usable once, until it expires. The address receives the definition's report once `confirmedAt`
 * is set, never before. One row per definition and address; a new link replaces the old.
 */
export class ReportRecipientConfirmation extends Model<
  InferAttributes<ReportRecipientConfirmation>,
  InferCreationAttributes<ReportRecipientConfirmation>
> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare definitionId: string;
  /** Lower case, as the definition's recipients. */
  declare email: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare confirmedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ReportRecipientConfirmation.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        definitionId: { type: DataTypes.UUID, allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: false },
        tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        confirmedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'report_recipient_confirmations', underscored: true },
    );
  }
}
