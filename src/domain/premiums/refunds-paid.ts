/**
 * A refund owed by hand, recorded paid back by staff (docs/premiums.md, Refunds paid back by hand):
 * a cancellation's or a policy change's refund of a payment received by hand is `owed` until a tenant
 * admin or claims manager (`recordRefundPaid`) pays it back (a bank transfer, a cheque) and says so here; so is a refund the provider refused
 * (`failed`), paid back another way. In one transaction, under the refund's row lock: the row becomes
 * `succeeded` (the status every reader already takes for money given back) with when, how and the
 * reference, audited `invoice.refund_paid`, and posted to the books dated the day it was paid (a
 * refused one owed again first, then Dr refunds payable, Cr cash; a closed month refuses it with 409
 * and nothing is recorded).
 */
import type { Sequelize } from 'sequelize';
import { PremiumRefund, type Invoice } from '../../models';
import type { PaymentMethod } from '../../models/invoice';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import { utcDay } from '../../shared/time';
import { recordAudit, type AuditSource } from '../audit/record';
import { localTime, timeZoneOf } from '../calendars/local-time';
import { postRefundOwedAgain } from './ledger-postings';
import { recordRefundPaid } from './refunds';

export interface RefundPaidBack {
  /** When the money left, now unless given; not in the future (the schema) nor before the refund was recorded. */
  paidAt?: Date;
  method: PaymentMethod;
  /** The bank transfer's reference, the cheque's number. */
  reference: string;
  recordedById: string;
}

/**
 * Whether a refund already paid back was paid back as `paid` says: the same request again, answered as
 * it was. A request that left `paidAt` to now matches on method and reference, as its repeat's now is later.
 */
const samePayBack = (refund: PremiumRefund, paid: RefundPaidBack) =>
  refund.status === 'succeeded' &&
  refund.paidAt !== null &&
  (paid.paidAt === undefined || refund.paidAt.getTime() === paid.paidAt.getTime()) &&
  refund.paidMethod === paid.method &&
  refund.paidReference === paid.reference;

/**
 * Records the invoice's `owed` or `failed` refund `refundId` paid back. The caller found the invoice
 * among those it sees (another tenant's is 404 before this). A refund of another invoice is 404; one
 * `pending` at the provider (its run pays it back) or paid back otherwise is 409, but the same pay-back
 * again (a repeat whose answer was lost) answers the refund as recorded.
 */
export async function recordRefundPaidBack(
  sequelize: Sequelize,
  invoice: Pick<Invoice, 'id' | 'tenantId'>,
  refundId: string,
  paid: RefundPaidBack,
  source: AuditSource,
): Promise<PremiumRefund> {
  return sequelize.transaction(async (transaction) => {
    const refund = await PremiumRefund.findOne({
      where: { id: refundId, invoiceId: invoice.id, tenantId: invoice.tenantId },
      lock: transaction.LOCK.UPDATE,
      transaction,
    });
    if (!refund) throw notFound('Refund');
    if (samePayBack(refund, paid)) return refund;
    const wasStatus = refund.status;
    if (wasStatus !== 'owed' && wasStatus !== 'failed')
      throw conflict(
        wasStatus === 'pending'
          ? 'The refund is pending at the payment provider, which pays it back'
          : `The refund is ${wasStatus}: only a refund owed by hand or refused by the provider is recorded paid back`,
        [{ rule: 'refund_not_owed', message: `status ${wasStatus}` }],
      );
    const paidAt = paid.paidAt ?? new Date();
    // Compared as days: staff type the day they paid it back, which reads as its midnight, and the day the refund was
    // recorded was refused against the instant it was written. That day as UTC or the tenant's calendar reads it, the
    // earlier, as a payment by hand is judged (payments.ts): staff in Los Angeles type the 10th for 04:00 UTC on the 11th.
    const recordedOn = [utcDay(refund.createdAt), localTime(refund.createdAt, await timeZoneOf(refund.tenantId))!.slice(0, 10)].sort()[0];
    if (utcDay(paidAt) < recordedOn)
      throw unprocessable('A refund is paid back after it was recorded', [
        { field: 'paidAt', message: `not before ${recordedOn}, the day the refund was recorded` },
      ]);
    await refund.update(
      {
        status: 'succeeded',
        paidAt,
        paidMethod: paid.method,
        paidReference: paid.reference,
        paidRecordedById: paid.recordedById,
      },
      { transaction },
    );
    // Dated the day the money left: a day in a closed month is refused (409) and the row's change rolls back.
    if (wasStatus === 'failed') await postRefundOwedAgain(sequelize, refund, transaction, paidAt);
    await recordRefundPaid(sequelize, refund, transaction, paidAt);
    await recordAudit(
      source,
      {
        tenantId: refund.tenantId,
        action: 'invoice.refund_paid',
        entityType: 'invoice',
        entityId: refund.invoiceId,
        before: { status: wasStatus },
        after: {
          refundId: refund.id,
          status: refund.status,
          amountMinor: refund.amountMinor,
          currency: refund.currency,
          paidAt: paidAt.toISOString(),
          method: paid.method,
          reference: paid.reference,
        },
        dedupeKey: `${refund.id}:paid`,
      },
      transaction,
    );
    return refund;
  });
}
