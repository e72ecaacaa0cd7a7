import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * Approved claim payments issued together as one bank credit-transfer file (ISO 20022
 * pain.001.001.09, docs/claim-money.md, Payment batches), kept as it was sent.
 */
export class PaymentBatch extends Model<InferAttributes<PaymentBatch>, InferCreationAttributes<PaymentBatch>> {
  declare id: string;
  declare tenantId: string;
  /** The file's message ID (GrpHdr/MsgId): unique in the tenant. */
  declare messageId: string;
  declare currency: string;
  declare paymentCount: number;
  declare total: string;
  declare requestedExecutionDate: string;
  declare debtorName: string;
  declare debtorIban: string;
  declare debtorBic: string | null;
  declare file: string;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** What the API shows: the batch without its tenant and file (`GET /payment-batches/:id/file` serves that). */
  override toJSON(): object {
    const { tenantId: _tenant, file: _file, ...shown } = this.get();
    return shown;
  }

  static initModel(sequelize: Sequelize): void {
    PaymentBatch.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        messageId: { type: DataTypes.STRING(35), allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        paymentCount: { type: DataTypes.INTEGER, allowNull: false },
        total: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        requestedExecutionDate: { type: DataTypes.DATEONLY, allowNull: false },
        debtorName: { type: DataTypes.STRING(70), allowNull: false },
        debtorIban: { type: DataTypes.STRING(34), allowNull: false },
        debtorBic: { type: DataTypes.STRING(11) },
        file: { type: DataTypes.TEXT, allowNull: false },
        createdById: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'payment_batches', underscored: true },
    );
  }
}
