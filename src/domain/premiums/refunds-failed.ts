/**
 * A refund that fails at the provider after it was sent (docs/premiums.md, Refunds failing at the
 * provider): Stripe may report a refund `succeeded` (or `pending`) and later `failed`, when the card
 * was closed or its bank returned the money. The money is then the policyholder's again, owed as a
 * refund the provider refused is: the row becomes `failed`, for staff to pay back by hand
 * (./refunds-paid.ts). Its entries are never edited: a paid one's `paid` entry is reversed (the money
 * is back in cash, payable again), then its `owed` entry as for any refusal (`postRefundFailed`: the
 * premium counts as not given back until it is paid back).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PremiumRefund } from '../../models';
import { REFUND_EVENT_TYPES, toStripeAmount, type ProviderRefundFailure } from '../../services/payment-provider';
import { recordAudit, type AuditSource } from '../audit/record';
import { postReversal, postReversedByProvider, sourceKey } from '../ledger/post';
import { postRefundFailed } from './ledger-postings';

/** Stripe's refund statuses that mean no money reached the holder. */
export const FAILED_REFUND_STATUSES: readonly unknown[] = ['failed', 'canceled'];

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
  if (wasStatus === 'succeeded')
    await postReversedByProvider(
      sequelize,
      refund.tenantId,
      ['premium_refund', refund.id, 'paid'],
      `Refund paid, then failed at the provider: ${refund.reason}`,
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

/** A failure event kept `no_invoice`: its row, the provider's event and refund ids, and the failure's reason. */
interface HeardFailure {
  id: string;
  eventId: string;
  objectId: string;
  failureReason: string | null;
}

/** How a failure reported before names its refund: by the refund's own id (`sent`), or as a dashboard refund's row can know it (`dashboard`). */
export type HeardFailureMatch = 'sent' | 'dashboard';

/** Each match as SQL on the event `e`; `:providerRefundId` is the row's provider id. */
const FAILURE_NAMING: Record<HeardFailureMatch, string> = {
  // A refund Insurflow sent: the id Stripe answered it.
  sent: 'e.object_id = :providerRefundId',
  // A refund made in the dashboard, recorded from `charge.refunded` (its row holds the charge's id): the row's charge and
  // amount, as Stripe counts it (100000 for 1,000 ISK), and a refund no other row holds (one Insurflow sent, a claim payment's card refund).
  dashboard: `coalesce(e.payload->'data'->'object'->'charge'->>'id', e.payload->'data'->'object'->>'charge') = :providerRefundId
        AND e.payload->'data'->'object'->>'amount' = :stripeAmount
        AND NOT EXISTS (SELECT 1 FROM premium_refunds r WHERE r.provider = e.provider AND r.provider_refund_id = e.object_id)
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.provider_refund_id = e.object_id)`,
};

/**
 * The failure of `refund` (locked by the caller, its provider's id just recorded) that the provider reported
 * before, on `paymentIntentId`: Stripe may send `refund.failed` before the refund's run has recorded the id Stripe
 * answered it, or before the dashboard refund's `charge.refunded` was processed, and that event, naming no refund
 * Insurflow knew, was kept `no_invoice`. One that `match` names, in the refund's currency (no other is about it),
 * is applied now as if it had just come (`recordRefundFailedAtProvider`), the row taking the refund's own id, and
 * its events are marked `applied`. An event arriving while the id is being recorded waits for it (it locks the
 * payment's refunds before reading their ids), so one of the two always sees the other.
 */
export async function applyFailureHeardBefore(
  sequelize: Sequelize,
  refund: PremiumRefund,
  paymentIntentId: string,
  match: HeardFailureMatch,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  if (!refund.provider || !refund.providerRefundId) return;
  const heard = await sequelize.query<HeardFailure>(
    `SELECT e.id, e.event_id AS "eventId", e.object_id AS "objectId",
            e.payload->'data'->'object'->>'failure_reason' AS "failureReason"
       FROM payment_provider_events e
      WHERE e.provider = :provider AND e.outcome = 'no_invoice' AND e.type IN (:types) AND ${FAILURE_NAMING[match]}
        AND upper(e.payload->'data'->'object'->>'currency') = :currency
        AND e.payload->'data'->'object'->>'status' IN (:failed)
        AND coalesce(e.payload->'data'->'object'->'payment_intent'->>'id', e.payload->'data'->'object'->>'payment_intent') = :paymentIntentId
      ORDER BY e.received_at, e.id`,
    {
      replacements: {
        provider: refund.provider,
        providerRefundId: refund.providerRefundId,
        stripeAmount: toStripeAmount(refund.amountMinor, refund.currency)?.toString() ?? null,
        currency: refund.currency,
        types: REFUND_EVENT_TYPES,
        failed: FAILED_REFUND_STATUSES,
        paymentIntentId,
      },
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  // Two dashboard refunds alike (the same charge and amount) are the same money: the first is this row's.
  const ofOneRefund = heard.filter(({ objectId }) => objectId === heard[0]?.objectId);
  if (ofOneRefund.length === 0) return;
  if (refund.providerRefundId !== ofOneRefund[0].objectId)
    await refund.update({ providerRefundId: ofOneRefund[0].objectId }, { transaction });
  await recordRefundFailedAtProvider(sequelize, refund, ofOneRefund[0], source, transaction);
  await sequelize.query(`UPDATE payment_provider_events SET outcome = 'applied' WHERE id IN (:ids)`, {
    replacements: { ids: ofOneRefund.map(({ id }) => id) },
    transaction,
  });
}
