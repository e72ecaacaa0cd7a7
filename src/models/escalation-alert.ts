import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

export type AlertChannel = 'email' | 'webhook';
/** `no_recipients`: nobody to tell (no officer, no webhook configured); kept so the gap is visible. */
export type AlertDeliveryStatus = 'pending' | 'sent' | 'failed' | 'no_recipients' | 'suppressed';

/** Every escalation of an overdue acknowledgement, one row per level and channel. */
export class EscalationAlert extends Model<InferAttributes<EscalationAlert>, InferCreationAttributes<EscalationAlert>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare acknowledgementId: string;
  declare level: number;
  declare channel: AlertChannel;
  declare recipients: CreationOptional<string[]>;
  declare deliveryStatus: CreationOptional<AlertDeliveryStatus>;
  declare lastError: CreationOptional<string | null>;
  declare sentAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    EscalationAlert.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        acknowledgementId: { type: DataTypes.UUID, allowNull: false },
        level: { type: DataTypes.INTEGER, allowNull: false },
        channel: { type: DataTypes.STRING(20), allowNull: false },
        recipients: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        deliveryStatus: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        lastError: { type: DataTypes.TEXT },
        sentAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'escalation_alerts', underscored: true },
    );
  }
}
