import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { RemindRecipientStatus } from '../contracts/compliance-remind';

/**
 * One "remind now" of a published policy version, run by `compliance-remind-<id>`: everyone whose
 * acknowledgement was open when it was asked is one recipient row.
 */
export class ComplianceRemind extends Model<InferAttributes<ComplianceRemind>, InferCreationAttributes<ComplianceRemind>> {
  declare id: string;
  declare tenantId: string;
  declare versionId: string;
  declare requestedById: string;
  declare workflowId: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ComplianceRemind.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        versionId: { type: DataTypes.UUID, allowNull: false },
        requestedById: { type: DataTypes.UUID, allowNull: false },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'compliance_reminds', underscored: true },
    );
  }
}

/** One person a remind reaches (through their acknowledgement), and whether it has. */
export class ComplianceRemindRecipient extends Model<
  InferAttributes<ComplianceRemindRecipient>,
  InferCreationAttributes<ComplianceRemindRecipient>
> {
  declare remindId: string;
  declare acknowledgementId: string;
  declare status: CreationOptional<RemindRecipientStatus>;
  declare handledAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ComplianceRemindRecipient.init(
      {
        remindId: { type: DataTypes.UUID, allowNull: false, primaryKey: true },
        acknowledgementId: { type: DataTypes.UUID, allowNull: false, primaryKey: true },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        handledAt: { type: DataTypes.DATE },
      },
      { sequelize, tableName: 'compliance_remind_recipients', underscored: true, timestamps: false },
    );
  }
}
