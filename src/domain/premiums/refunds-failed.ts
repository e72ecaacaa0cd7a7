/**
 * A refund that fails at the provider after it was sent (docs/premiums.md, Refunds failing at the
 * provider): Stripe may report a refund `succeeded` (or `pending`) and later `failed`, when the card
 * was closed or its bank returned the money. The money is then the policyholder's again, owed as a
 * refund the provider refused is: the row becomes `failed`, for staff to pay back by hand
 * (./refunds-paid.ts). Its entries are never edited: a paid one's `paid` entry is reversed (the money
 * is back in cash, payable again), then its `owed` entry as for any refusal (`postRefundFailed`: the
 * premium counts as not given back until it is paid back).
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { PremiumRefund } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { postReversal, sourceKey } from '../ledger/post';
import { postRefundFailed } from './ledger-postings';

/** What the provider said of the failure: its event, and its reason (`expired_or_canceled_card`…) when given. */
export interface ProviderRefundFailure {
  eventId: string;
  failureReason: string | null;
}

/**
 * Records `refund` (locked by the caller) failed at its provider, in the event's transaction. A refund
 * failed already (a redelivery under another event id, or refused when it was sent) and one owed by
 * hand (never sent) change nothing. Staff are told as of a refusal: audited `invoice.refund_refused`,
 * reason `provider_failed`.
 */
export async function recordRefundFailedAtProvider(
  sequelize: Sequelize,
  refund: PremiumRefund,
  failure: ProviderRefundFailure,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  const wasStatus = refund.status;
  if (wasStatus !== 'pending' && wasStatus !== 'succeeded') return;
  await refund.update({ status: 'failed' }, { transaction });
  // Dated today, as the provider's other news is: a refund paid in a closed month is taken back in this one.
  if (wasStatus === 'succeeded')
    await postReversal(
      sequelize,
      {
        tenantId: refund.tenantId,
        originalKey: sourceKey('premium_refund', refund.id, 'paid'),
        sourceKey: sourceKey('premium_refund', refund.id, 'paid_reversed'),
        description: `Refund paid, then failed at the provider: ${refund.reason}`,
        postedOn: new Date(),
      },
      transaction,
    );
  await postRefundFailed(sequelize, refund, transaction);
  await recordAudit(
    source,
    {
      tenantId: refund.tenantId,
      action: 'invoice.refund_refused',
      entityType: 'invoice',
      entityId: refund.invoiceId,
      before: { status: wasStatus },
      after: {
        refundId: refund.id,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        status: refund.status,
        providerRefundId: refund.providerRefundId,
        eventId: failure.eventId,
        ...(failure.failureReason && { providerError: failure.failureReason.slice(0, 500) }),
      },
      reason: 'provider_failed',
      dedupeKey: `${refund.id}:failed`,
    },
    transaction,
  );
}

/**
 * A refund paid back by hand after its provider's payment failed: its `paid` entry stands reversed
 * (`paid_reversed`), so the pay-back reverses that reversal (`paid_again`, Dr refunds payable, Cr cash)
 * on the day it was paid. Answers false when there was no failure to reverse.
 */
export function postRefundPaidAgain(sequelize: Sequelize, refund: PremiumRefund, transaction: Transaction, paidOn: Date): Promise<boolean> {
  return postReversal(
    sequelize,
    {
      tenantId: refund.tenantId,
      originalKey: sourceKey('premium_refund', refund.id, 'paid_reversed'),
      sourceKey: sourceKey('premium_refund', refund.id, 'paid_again'),
      description: `Refund paid back by hand after the provider's payment failed: ${refund.reason}`,
      postedOn: paidOn,
    },
    transaction,
  );
}
