import { formatClaimAmount } from '../shared/money';
import { modelOf, required, optional, uuidKey, tenantColumn, timestampColumns } from './columns';

const paymentBatchColumns = () => ({
  id: uuidKey(),
  ...tenantColumn(),
  /** The file's message ID (GrpHdr/MsgId): unique in the tenant. */
  messageId: required.string(35),
  currency: required.char(3),
  paymentCount: required.integer(),
  total: required.amount(),
  requestedExecutionDate: required.dateOnly(),
  debtorName: required.string(70),
  debtorIban: required.string(34),
  debtorBic: optional.string(11),
  file: required.text(),
  createdById: required.uuid(),
  ...timestampColumns(),
});

/**
 * Approved claim payments issued together as one bank credit-transfer file (ISO 20022
 * pain.001.001.09, docs/claim-money.md, Payment batches), kept as it was sent.
 */
export class PaymentBatch extends modelOf('payment_batches', paymentBatchColumns) {
  /**
   * What the API shows: the batch without its tenant and file (`GET /payment-batches/:id/file` serves
   * that), its total with its currency's decimals as every answer writes money ("12000" yen; the
   * row keeps two, or three for a third decimal: `claimAmountText`).
   */
  override toJSON(): object {
    const { tenantId: _tenant, file: _file, total, ...shown } = this.get();
    return { ...shown, total: formatClaimAmount(total, shown.currency) };
  }
}
