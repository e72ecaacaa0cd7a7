import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { EVENT_OUTCOMES } from './migrations/0041-payment-provider';

export type PaymentEventOutcome = (typeof EVENT_OUTCOMES)[number];
export { EVENT_OUTCOMES };

/**
 * A verified webhook event of the payment provider, stored once (docs/premiums.md, Payment
 * provider). `invoiceId` and `tenantId` are what the event's metadata claimed; `outcome` says
 * whether it was applied to that invoice or why not.
 */
export class PaymentProviderEvent extends Model<InferAttributes<PaymentProviderEvent>, InferCreationAttributes<PaymentProviderEvent>> {
  declare id: CreationOptional<string>;
  declare provider: string;
  declare eventId: string;
  declare type: string;
  declare objectId: string | null;
  declare invoiceId: string | null;
  declare tenantId: string | null;
  declare payload: object;
  declare receivedAt: Date;
  declare processedAt: CreationOptional<Date | null>;
  declare outcome: CreationOptional<PaymentEventOutcome | null>;

  static initModel(sequelize: Sequelize): void {
    PaymentProviderEvent.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        provider: { type: DataTypes.STRING(20), allowNull: false },
        eventId: { type: DataTypes.STRING(255), allowNull: false },
        type: { type: DataTypes.STRING(100), allowNull: false },
        objectId: { type: DataTypes.STRING(255) },
        invoiceId: { type: DataTypes.UUID },
        tenantId: { type: DataTypes.UUID },
        payload: { type: DataTypes.JSONB, allowNull: false },
        receivedAt: { type: DataTypes.DATE, allowNull: false },
        processedAt: { type: DataTypes.DATE },
        outcome: { type: DataTypes.STRING(30) },
      },
      { sequelize, tableName: 'payment_provider_events', underscored: true, timestamps: false },
    );
  }
}
