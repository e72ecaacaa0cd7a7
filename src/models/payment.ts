import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import type { PayeeKind, PaymentStatus } from '../contracts/claim-payments';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

/**
 * Money paid on a claim (docs/claim-money.md, Payments): the `settlement` of an approved claim (one
 * per approval: a reopened claim approved again has another), or a `partial` payment to a payee
 * against a reserve line, decided by the claim's run and issued in a payment batch.
 */
export class Payment extends TenantRow<Payment> {
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

  /** What the API shows: the payment without its tenant. */
  override toJSON(): object {
    const { tenantId: _tenant, ...shown } = this.get();
    return shown;
  }

  static initModel(sequelize: Sequelize): void {
    Payment.init(
      tenantRowColumns({
        claimId: required.uuid(),
        kind: required.string(20, { defaultValue: 'settlement' }),
        status: required.string(20, { defaultValue: 'cleared' }),
        costType: required.string(20, { defaultValue: 'indemnity' }),
        category: required.string(20, { defaultValue: 'other' }),
        amount: required(DataTypes.DECIMAL(12, 2)),
        currency: optional(DataTypes.CHAR(3)),
        reference: required.string(60),
        payeeKind: optional.string(20),
        payeeName: optional.string(70),
        payeeIban: optional.string(34),
        payeeBic: optional.string(11),
        note: optional.string(500),
        requestedById: optional.uuid(),
        requestedAt: optional.date(),
        approvedById: optional.uuid(),
        approvedAt: optional.date(),
        voidedById: optional.uuid(),
        voidedAt: optional.date(),
        issuedAt: optional.date(),
        failedAt: optional.date(),
        failureReason: optional.string(200),
        batchId: optional.uuid(),
        cardRefundStartedAt: optional.date(),
        providerRefundId: optional.string(255),
        refundedPremiumPaymentId: optional.uuid(),
        paidAt: optional.date(),
      }),
      tableOptions(sequelize, 'payments'),
    );
  }
}
