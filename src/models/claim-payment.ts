import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { PayeeKind, PaymentStatus } from '../contracts/claim-payments';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

const paymentColumns = () =>
  tenantRowColumns({
    claimId: required.uuid(),
    kind: required.string<'settlement' | 'partial'>(20, { defaultValue: 'settlement' }),
    status: required.string<PaymentStatus>(20, { defaultValue: 'cleared' }),
    costType: required.string<CostType>(20, { defaultValue: 'indemnity' }),
    category: required.string<ReserveCategory>(20, { defaultValue: 'other' }),
    amount: required.amount(),
    currency: optional.char(3),
    reference: required.string(60),
    payeeKind: optional.string<PayeeKind>(20),
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
    /** Set before the provider is asked for a card refund: no batch nor void takes the payment from then on. */
    cardRefundStartedAt: optional.date(),
    /** Issued by card refund instead of a batch: the provider's refund (`re_…`) and the premium payment whose charge it refunded. */
    providerRefundId: optional.string(255),
    refundedPremiumPaymentId: optional.uuid(),
    /** When the money reached the payee: at once for a settlement, when the bank cleared it for a partial payment. */
    paidAt: optional.date(),
  });

/**
 * Money paid on a claim (docs/claim-money.md, Payments): the `settlement` of an approved claim (one
 * per approval: a reopened claim approved again has another), or a `partial` payment to a payee
 * against a reserve line, decided by the claim's run and issued in a payment batch. A claim payment
 * is money to a claimant; money from a policyholder is a `PremiumPayment` (./invoice.ts). The table
 * keeps its first name, `payments`, until a later release renames it (docs/deploying.md).
 */
export class ClaimPayment extends modelOf('payments', paymentColumns) {
  /** What the API shows: the payment without its tenant. */
  override toJSON(): object {
    const { tenantId: _tenant, ...shown } = this.get();
    return shown;
  }
}
