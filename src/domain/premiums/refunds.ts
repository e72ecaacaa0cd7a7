/**
 * The refund of a cancelled subscription's paid, unused premium (docs/premiums.md, Refunds; the
 * rule is `proRataRefund`, src/shared/refunds.ts). Run by the activity that records the
 * cancellation; idempotent: whatever is retried, one cancellation gives one set of refunds.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PREMIUM_REFUND_WORKFLOW_TYPE, premiumRefundWorkflowId, type PremiumRefundWorkflow } from '../../contracts/premium-refund';
import { Invoice, OutboxMessage, PremiumPayment, PremiumRefund } from '../../models';
import type { StartWorkflowPayload } from '../../models/outbox-message';
import { TERM_COLUMNS, termStartOf, UNPAID_INVOICE_STATUSES, type TermOfRow } from '../../models/invoice';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { proRataRefund } from '../../shared/refunds';
import { recordAudit, type AuditSource } from '../audit/record';
import { recordInvoiceEvent } from './webhook-events';

export const REFUND_REASON = 'Pro rata refund of the unused term on cancellation';

type CancelledRow = TermOfRow & { tenantId: string; status: string; cancelledOn: string | null };

/** Names the refunds of one cancellation: the subscription's term, then the payment refunded. */
const cancellationKey = (subscriptionId: string, term: number) => `${subscriptionId}:cancel:${term}`;

/**
 * Refunds the cancelled term's paid, unused part, the most recent payments first (each at most
 * what it brought): through the provider when the payment came through one (`pending`, and a
 * `premium-refund-<id>` run started through the outbox sends it), else recorded as `owed` to be
 * paid back by hand. The term's unpaid
 * invoices are voided; a paid one is `refunded` once refunds cover what was applied to it,
 * `partially_refunded` before. Nothing happens for a row that is not cancelled, or a
 * cancellation already refunded.
 */
export async function refundOnCancellation(sequelize: Sequelize, subscriptionId: string, source: AuditSource): Promise<PremiumRefund[]> {
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<CancelledRow>(
      `SELECT ${TERM_COLUMNS}, status, (cancelled_at AT TIME ZONE 'UTC')::date::text AS "cancelledOn"
         FROM subscriptions WHERE id = :subscriptionId FOR UPDATE`,
      { type: QueryTypes.SELECT, transaction, replacements: { subscriptionId } },
    );
    const termStart = row && termStartOf(row);
    const premiumMinor = row && toMinorUnits(row.premium, row.currency);
    if (!row || row.status !== 'cancelled' || !row.cancelledOn || !termStart || !row.endDate || premiumMinor === null) return [];
    const key = cancellationKey(subscriptionId, row.renewalCount);
    const done = await PremiumRefund.findAll({ where: { subscriptionId, dedupeKey: { [Op.startsWith]: `${key}:` } }, transaction });
    if (done.length > 0) return done;

    const invoices = await Invoice.findAll({
      where: { subscriptionId, term: row.renewalCount },
      lock: transaction.LOCK.UPDATE,
      transaction,
    });
    const payments = await PremiumPayment.findAll({
      where: { invoiceId: invoices.map(({ id }) => id) },
      order: [
        ['receivedAt', 'DESC'],
        ['createdAt', 'DESC'],
      ],
      transaction,
    });
    const creditMinor = payments.reduce((total, payment) => total + payment.creditMinor, 0);
    const paidMinor = payments.reduce((total, payment) => total + payment.amountMinor, 0) - creditMinor;
    let left = proRataRefund({ premiumMinor, termStart, termEnd: row.endDate, cancelledOn: row.cancelledOn, paidMinor, creditMinor });

    const refunds: PremiumRefund[] = [];
    for (const payment of payments) {
      if (left === 0) break;
      const amountMinor = Math.min(left, payment.amountMinor);
      left -= amountMinor;
      refunds.push(
        await PremiumRefund.create(
          {
            tenantId: row.tenantId,
            subscriptionId,
            invoiceId: payment.invoiceId,
            paymentId: payment.id,
            amountMinor,
            currency: payment.currency,
            reason: REFUND_REASON,
            status: payment.provider ? 'pending' : 'owed',
            provider: payment.provider,
            dedupeKey: `${key}:${payment.id}`,
          },
          { transaction },
        ),
      );
    }

    for (const refund of refunds) {
      if (refund.status === 'pending') await enqueueProviderRefund(refund, transaction);
      await recordRefundEvent(refund, transaction);
    }

    for (const invoice of invoices) {
      const applied = payments.filter((p) => p.invoiceId === invoice.id).reduce((total, p) => total + p.amountMinor - p.creditMinor, 0);
      const refunded = refunds.filter((r) => r.invoiceId === invoice.id).reduce((total, r) => total + r.amountMinor, 0);
      if (UNPAID_INVOICE_STATUSES.includes(invoice.status) && applied === 0) await invoice.update({ status: 'void' }, { transaction });
      else if (refunded > 0) await invoice.update({ status: refunded >= applied ? 'refunded' : 'partially_refunded' }, { transaction });
    }
    await recordAudit(
      source,
      {
        tenantId: row.tenantId,
        action: 'subscription.refund',
        entityType: 'subscription',
        entityId: subscriptionId,
        after: {
          refundedMinor: refunds.reduce((total, r) => total + r.amountMinor, 0),
          paidMinor,
          creditMinor,
          refunds: refunds.map((r) => r.id),
        },
        dedupeKey: key,
      },
      transaction,
    );
    return refunds;
  });
}

/** The start of the run that sends a `pending` refund to its provider (src/workflows/premium-refund.ts). */
export function providerRefundStart(
  refund: Pick<PremiumRefund, 'id' | 'tenantId' | 'amountMinor' | 'currency' | 'provider'>,
): StartWorkflowPayload<PremiumRefundWorkflow> {
  return {
    workflowType: PREMIUM_REFUND_WORKFLOW_TYPE,
    args: [{ tenantId: refund.tenantId, refundId: refund.id }],
    tenantId: refund.tenantId,
    status: 'pending',
    summary: `Refund ${formatMinorUnits(refund.amountMinor, refund.currency)} ${refund.currency} through ${refund.provider}`,
  };
}

/** Starts, through the outbox, the run that sends a `pending` refund to its provider. */
export function enqueueProviderRefund(refund: PremiumRefund, transaction: Transaction): Promise<OutboxMessage> {
  return OutboxMessage.create(
    { kind: 'start', workflowId: premiumRefundWorkflowId(refund.id), payload: providerRefundStart(refund) },
    { transaction },
  );
}

/** The `invoice.refund_recorded` event of a refund, in the transaction that records it (docs/webhooks.md). */
export function recordRefundEvent(refund: PremiumRefund, transaction: Transaction): Promise<void> {
  return recordInvoiceEvent(
    refund,
    {
      type: 'invoice.refund_recorded',
      data: { refundId: refund.id, status: refund.status, reason: refund.reason },
      time: refund.createdAt,
      dedupeKey: `refund:${refund.id}:recorded`,
    },
    transaction,
  );
}
