import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

export type NotificationChannel = 'email' | 'webhook';
/**
 * `sending`: an attempt has claimed the row until `leaseUntil`; `failed`: the last attempt failed, a retry may send;
 * `suppressed`: its tenant was suspended when it was due, so it was never sent, nor will be.
 */
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/**
 * One row per message the system means to send. The unique idempotency key (workflow ID +
 * purpose) is what stops a retried activity from sending twice.
 */
export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: CreationOptional<string>;
  declare idempotencyKey: string;
  declare tenantId: string | null;
  declare channel: NotificationChannel;
  declare recipients: string[];
  declare subject: string;
  declare body: CreationOptional<string | null>;
  declare payload: CreationOptional<object | null>;
  declare status: CreationOptional<NotificationStatus>;
  declare attempts: CreationOptional<number>;
  declare lastError: CreationOptional<string | null>;
  declare sentAt: CreationOptional<Date | null>;
  declare leaseUntil: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Notification.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        idempotencyKey: { type: DataTypes.STRING(300), allowNull: false, unique: true },
        tenantId: { type: DataTypes.UUID },
        channel: { type: DataTypes.STRING(20), allowNull: false },
        recipients: { type: DataTypes.JSONB, allowNull: false },
        subject: { type: DataTypes.STRING(300), allowNull: false },
        body: { type: DataTypes.TEXT },
        payload: { type: DataTypes.JSONB },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastError: { type: DataTypes.TEXT },
        sentAt: { type: DataTypes.DATE },
        leaseUntil: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'notifications', underscored: true },
    );
  }
}
