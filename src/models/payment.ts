import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { PayeeKind, PaymentStatus } from '../contracts/claim-payments';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

/**
 * Money paid on a claim (docs/claim-money.md, Payments): the `settlement` of an approved claim (one
 * per approval: a reopened claim approved again has another), or a `partial` payment to a payee
 * against a reserve line, decided by the claim's run and issued in a payment batch.
 */
export class Payment extends Model<InferAttributes<Payment>, InferCreationAttributes<Payment>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare kind: CreationOptional<'settlement' | 'partial'>;
  declare status: CreationOptional<PaymentStatus>;
  declare costType: CreationOptional<CostType>;
  declare category: CreationOptional<ReserveCategory>;
  declare amount: string;
  declare currency: CreationOptional<string | null>;
  declare reference: string;
  declare payeeKind: CreationOptional<PayeeKind | null>;
  declare payeeName: CreationOptional<string | null>;
  declare payeeIban: CreationOptional<string | null>;
  declare payeeBic: CreationOptional<string | null>;
  declare note: CreationOptional<string | null>;
  declare requestedById: CreationOptional<string | null>;
  declare requestedAt: CreationOptional<Date | null>;
  declare approvedById: CreationOptional<string | null>;
  declare approvedAt: CreationOptional<Date | null>;
  declare voidedById: CreationOptional<string | null>;
  declare voidedAt: CreationOptional<Date | null>;
  declare issuedAt: CreationOptional<Date | null>;
  declare failedAt: CreationOptional<Date | null>;
  declare failureReason: CreationOptional<string | null>;
  declare batchId: CreationOptional<string | null>;
  /** Issued by card refund instead of a batch: the provider's refund (`re_…`) and the premium payment whose charge it refunded. */
  /** Set before the provider is asked for a card refund: no batch nor void takes the payment from then on. */
  declare cardRefundStartedAt: CreationOptional<Date | null>;
  declare providerRefundId: CreationOptional<string | null>;
  declare refundedPremiumPaymentId: CreationOptional<string | null>;
  /** When the money reached the payee: at once for a settlement, when the bank cleared it for a partial payment. */
  declare paidAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** What the API shows: the payment without its tenant. */
  override toJSON(): object {
    const { tenantId: _tenant, ...shown } = this.get();
    return shown;
  }

  static initModel(sequelize: Sequelize): void {
    const optional = (type: DataTypes.DataType) => ({ type });
    Payment.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        kind: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'settlement' },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'cleared' },
        costType: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'indemnity' },
        category: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'other' },
        amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        currency: optional(DataTypes.CHAR(3)),
        reference: { type: DataTypes.STRING(60), allowNull: false },
        payeeKind: optional(DataTypes.STRING(20)),
        payeeName: optional(DataTypes.STRING(70)),
        payeeIban: optional(DataTypes.STRING(34)),
        payeeBic: optional(DataTypes.STRING(11)),
        note: optional(DataTypes.STRING(500)),
        requestedById: optional(DataTypes.UUID),
        requestedAt: optional(DataTypes.DATE),
        approvedById: optional(DataTypes.UUID),
        approvedAt: optional(DataTypes.DATE),
        voidedById: optional(DataTypes.UUID),
        voidedAt: optional(DataTypes.DATE),
        issuedAt: optional(DataTypes.DATE),
        failedAt: optional(DataTypes.DATE),
        failureReason: optional(DataTypes.STRING(200)),
        batchId: optional(DataTypes.UUID),
        cardRefundStartedAt: optional(DataTypes.DATE),
        providerRefundId: optional(DataTypes.STRING(255)),
        refundedPremiumPaymentId: optional(DataTypes.UUID),
        paidAt: optional(DataTypes.DATE),
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'payments', underscored: true },
    );
  }
}
