import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { AcknowledgementStatus } from '../contracts/acknowledgement';

/** One employee's duty to acknowledge one policy version. Owned by its workflow `ack-<id>`. */
export class Acknowledgement extends Model<InferAttributes<Acknowledgement>, InferCreationAttributes<Acknowledgement>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare versionId: string;
  declare employeeId: string;
  /** The attestation cycle of the version it belongs to (1 = the publication); one row per version, employee and cycle. */
  declare cycle: CreationOptional<number>;
  declare dueAt: Date;
  declare status: CreationOptional<AcknowledgementStatus>;
  declare acknowledgedAt: CreationOptional<Date | null>;
  declare remindersSent: CreationOptional<number>;
  /** 0 none, 1 manager alerted, 2 compliance team alerted. */
  declare escalationLevel: CreationOptional<number>;
  declare workflowId: CreationOptional<string | null>;
  /** Counts the runs: a person exempted who joins the audience again gets run 2, `ack-<id>-2`. */
  declare runNumber: CreationOptional<number>;
  declare exemptedAt: CreationOptional<Date | null>;
  /** Evidence of the acknowledgement: the SHA-256 of the text shown, where from, the name typed. */
  declare contentSha256: CreationOptional<string | null>;
  declare clientAddress: CreationOptional<string | null>;
  declare userAgent: CreationOptional<string | null>;
  declare typedName: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Acknowledgement.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        versionId: { type: DataTypes.UUID, allowNull: false },
        employeeId: { type: DataTypes.UUID, allowNull: false },
        cycle: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        dueAt: { type: DataTypes.DATE, allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        acknowledgedAt: { type: DataTypes.DATE },
        remindersSent: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        escalationLevel: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        workflowId: { type: DataTypes.STRING(200) },
        runNumber: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        exemptedAt: { type: DataTypes.DATE },
        contentSha256: { type: DataTypes.STRING(64) },
        clientAddress: { type: DataTypes.STRING(64) },
        userAgent: { type: DataTypes.STRING(500) },
        typedName: { type: DataTypes.STRING(200) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'acknowledgements', underscored: true },
    );
  }
}
