import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * The one PaymentIntent of an invoice at the payment provider (docs/premiums.md, Payment provider):
 * its id, never its client secret, which is read from the provider when the payer asks for it.
 */
export class PaymentIntentRecord extends Model<InferAttributes<PaymentIntentRecord>, InferCreationAttributes<PaymentIntentRecord>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare invoiceId: string;
  declare provider: string;
  declare providerIntentId: string;
  /** Minor units; BIGINT comes back from PostgreSQL as a string. */
  declare amountMinor: string | number;
  declare currency: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PaymentIntentRecord.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        invoiceId: { type: DataTypes.UUID, allowNull: false, unique: true },
        provider: { type: DataTypes.STRING(20), allowNull: false },
        providerIntentId: { type: DataTypes.STRING(255), allowNull: false },
        amountMinor: { type: DataTypes.BIGINT, allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'payment_intents', underscored: true },
    );
  }
}
