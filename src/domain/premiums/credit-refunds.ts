/**
 * A policyholder's credit given back while the policy runs (docs/premiums.md, Credit given back): what a
 * payment brought beyond its invoice (`creditMinor`) is a liability on the books (`policyholder_credit`)
 * that only a cancellation gave back, so a policy that ran to its end kept it for ever. A tenant admin or
 * claims manager refunds it on the holder's request: a refund of the payment's credit left, through the
 * provider the payment came through (`pending`, its run started through the outbox) or `owed` to be paid
 * back by hand, posted Dr policyholder credit, Cr refunds payable. Once per payment; a later cancellation
 * counts it as credit given back (`creditGivenBackOf`), never premium. A payment recorded after its term's
 * cancellation refunded the term (`afterCancellation`: a card payment started before the holder cancelled that
 * lands late, money by hand that arrives after) was not counted by it: its credit is given back here too.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PremiumPayment, PremiumRefund, type Invoice } from '../../models';
import { conflict, notFound } from '../../shared/errors';
import { recordAudit, type AuditSource } from '../audit/record';
import { postRefundsOwed } from './ledger-postings';
import { CREDIT_REFUND_REASON, creditGivenBackOf, refundableOf, refundFromPayments } from './refunds';

/**
 * Whether the cancellation of the subscription's `term` has refunded it (its refunds are recorded). Asked under the
 * invoice's or the subscription's row lock, which the cancellation's refund holds while it counts the term's payments.
 */
export async function termCancellationRefunded(subscriptionId: string, term: number, transaction: Transaction): Promise<boolean> {
  const refunds = await PremiumRefund.count({
    where: { subscriptionId, dedupeKey: { [Op.startsWith]: `${subscriptionId}:cancel:${term}:` } },
    transaction,
  });
  return refunds > 0;
}

const noCreditLeft = (why: string) =>
  conflict(`The payment holds no credit to give back: ${why}`, [{ field: 'paymentId', message: why, rule: 'no_credit_left' }]);

/**
 * Refunds the credit left on the invoice's payment `paymentId`: 404 for a payment not on the invoice, 409
 * (`no_credit_left`) when it brought none, gave it back already (a credit refund, a refund in the provider's
 * dashboard) or its term's cancellation gave it back. Under the subscription's row lock, as a cancellation's
 * refund is, so the two never both give it back. `refundId` names the refund when the request has an
 * Idempotency-Key: a repeat whose first answer was lost (the API stopped after the commit) is answered it.
 */
export async function refundCredit(
  sequelize: Sequelize,
  invoice: Invoice,
  paymentId: string,
  request: { refundId?: string; source: AuditSource },
): Promise<PremiumRefund> {
  return sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT 1 FROM subscriptions WHERE id = :id FOR UPDATE', {
      replacements: { id: invoice.subscriptionId },
      type: QueryTypes.SELECT,
      transaction,
    });
    const payment = await PremiumPayment.findOne({ where: { id: paymentId, invoiceId: invoice.id }, transaction });
    if (!payment) throw notFound('Payment');
    // A request repeated with its key after its answer was lost is answered the refund it recorded.
    const recorded =
      request.refundId && (await PremiumRefund.findOne({ where: { id: request.refundId, paymentId: payment.id }, transaction }));
    if (recorded) return recorded;
    const creditRefunded = await PremiumRefund.count({ where: { paymentId: payment.id, reason: CREDIT_REFUND_REASON }, transaction });
    if (creditRefunded > 0) throw noCreditLeft('given back already, with a credit refund');
    // The cancellation gave back the credit of the payments it counted: those recorded before it refunded the term.
    if (!payment.afterCancellation && (await termCancellationRefunded(invoice.subscriptionId, invoice.term, transaction)))
      throw noCreditLeft('given back already, with the cancellation');
    const refundable = await refundableOf([payment], transaction);
    const creditLeft = Math.min(
      payment.creditMinor - ((await creditGivenBackOf([payment], transaction)).get(payment.id) ?? 0),
      refundable.get(payment.id) ?? 0,
    );
    if (creditLeft <= 0) throw noCreditLeft('it paid no more than its invoice owed, or its credit was refunded at the provider');
    const cause = {
      tenantId: invoice.tenantId,
      subscriptionId: invoice.subscriptionId,
      reason: CREDIT_REFUND_REASON,
      dedupeKeyOf: (id: string) => `${invoice.subscriptionId}:credit:${id}`,
      ...(request.refundId && { idOf: () => request.refundId! }),
    };
    // One refund, or two when a claim payment refunded onto the card left its charge less than the credit: the
    // card's part through the provider, the rest owed by hand; the answer is the first.
    const { refunds } = await refundFromPayments(cause, [payment], refundable, creditLeft, transaction);
    const [refund] = refunds;
    // Credit, not premium: it leaves policyholder credit, and no cover earns it.
    await postRefundsOwed(sequelize, refunds, { term: invoice.term, creditMinor: creditLeft }, transaction);
    await recordAudit(
      request.source,
      {
        tenantId: invoice.tenantId,
        action: 'invoice.credit_refund',
        entityType: 'invoice',
        entityId: invoice.id,
        after: {
          refundId: refund.id,
          paymentId: payment.id,
          amountMinor: refund.amountMinor,
          currency: refund.currency,
          status: refund.status,
        },
      },
      transaction,
    );
    return refund;
  });
}
