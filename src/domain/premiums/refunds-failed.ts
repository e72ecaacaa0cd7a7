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
import { fromStripeAmount, REFUND_EVENT_TYPES } from '../../services/payment-provider';
import { recordAudit, type AuditSource } from '../audit/record';
import { postReversal, sourceKey } from '../ledger/post';
import { postRefundFailed } from './ledger-postings';

/** Stripe's refund statuses that mean no money reached the holder. */
export const FAILED_REFUND_STATUSES: readonly unknown[] = ['failed', 'canceled'];

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

/** A failure event kept `no_invoice`: its row, the provider's event and refund ids, the failure's reason, and the refund's amount as the provider counts it. */
interface HeardFailure {
  id: string;
  eventId: string;
  objectId: string;
  failureReason: string | null;
  providerAmount: string | null;
  currency: string | null;
}

/**
 * The refund failures on `paymentIntentId` the provider reported that matched no refund then (kept `no_invoice`),
 * oldest first, among those `matching` (SQL on the event `e`) keeps.
 */
function failuresHeardBefore(
  sequelize: Sequelize,
  refund: PremiumRefund,
  paymentIntentId: string,
  matching: string,
  transaction: Transaction,
): Promise<HeardFailure[]> {
  return sequelize.query<HeardFailure>(
    `SELECT e.id, e.event_id AS "eventId", e.object_id AS "objectId",
            e.payload->'data'->'object'->>'failure_reason' AS "failureReason",
            e.payload->'data'->'object'->>'amount' AS "providerAmount", e.payload->'data'->'object'->>'currency' AS currency
       FROM payment_provider_events e
      WHERE e.provider = :provider AND e.outcome = 'no_invoice' AND e.type IN (:types) AND ${matching}
        AND e.payload->'data'->'object'->>'status' IN (:failed)
        AND coalesce(e.payload->'data'->'object'->'payment_intent'->>'id', e.payload->'data'->'object'->>'payment_intent') = :paymentIntentId
      ORDER BY e.received_at, e.id`,
    {
      replacements: {
        provider: refund.provider,
        providerRefundId: refund.providerRefundId,
        types: REFUND_EVENT_TYPES,
        failed: FAILED_REFUND_STATUSES,
        paymentIntentId,
      },
      type: QueryTypes.SELECT,
      transaction,
    },
  );
}

/** Applies the first of `heard` to `refund` as if it had just come, and marks them `applied`. */
async function applyHeard(
  sequelize: Sequelize,
  refund: PremiumRefund,
  heard: HeardFailure[],
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  if (heard.length === 0) return;
  await recordRefundFailedAtProvider(sequelize, refund, heard[0], source, transaction);
  await sequelize.query(`UPDATE payment_provider_events SET outcome = 'applied' WHERE id IN (:ids)`, {
    replacements: { ids: heard.map(({ id }) => id) },
    transaction,
  });
}

/**
 * The failure of `refund` (locked by the caller, its provider's id just recorded) that the provider
 * reported before: Stripe may send `refund.failed` before the refund's run has recorded the id Stripe
 * answered it, and that event, naming no refund Insurflow knew, was kept as `no_invoice`. Applied now as
 * if it had just come (`recordRefundFailedAtProvider`), and the events are marked `applied`. An event
 * arriving while the id is being recorded waits for it (it locks the payment's refunds before reading
 * their ids), so one of the two always sees the other.
 */
export async function applyFailureHeardBefore(
  sequelize: Sequelize,
  refund: PremiumRefund,
  paymentIntentId: string,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  if (!refund.provider || !refund.providerRefundId) return;
  const heard = await failuresHeardBefore(sequelize, refund, paymentIntentId, 'e.object_id = :providerRefundId', transaction);
  await applyHeard(sequelize, refund, heard, source, transaction);
}

/**
 * The failure of a refund made in the provider's dashboard, `refund` just recorded from `charge.refunded`
 * (its provider id the charge's), that the provider reported before that event was processed: kept
 * `no_invoice` then, as no refund was known. One naming the row's charge and amount and a refund no other
 * row holds (a refund Insurflow sent, a claim payment's card refund) is the row's: the row takes that
 * refund's id, and the failure is applied as `applyFailureHeardBefore` applies one.
 */
export async function applyDashboardFailureHeardBefore(
  sequelize: Sequelize,
  refund: PremiumRefund,
  paymentIntentId: string,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  if (!refund.provider || !refund.providerRefundId) return;
  const heard = await failuresHeardBefore(
    sequelize,
    refund,
    paymentIntentId,
    `coalesce(e.payload->'data'->'object'->'charge'->>'id', e.payload->'data'->'object'->>'charge') = :providerRefundId
        AND NOT EXISTS (SELECT 1 FROM premium_refunds r WHERE r.provider = e.provider AND r.provider_refund_id = e.object_id)
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.provider_refund_id = e.object_id)`,
    transaction,
  );
  // Stripe counts ISK and UGX in hundredths: its amount is compared in Insurflow's minor units, as every amount it reports is.
  const ofAmount = heard.filter(
    ({ providerAmount, currency }) =>
      currency?.toUpperCase() === refund.currency &&
      providerAmount !== null &&
      fromStripeAmount(Number(providerAmount), currency) === refund.amountMinor,
  );
  const ofOneRefund = ofAmount.filter(({ objectId }) => objectId === ofAmount[0]?.objectId);
  if (ofOneRefund.length === 0) return;
  await refund.update({ providerRefundId: ofOneRefund[0].objectId }, { transaction });
  await applyHeard(sequelize, refund, ofOneRefund, source, transaction);
}
