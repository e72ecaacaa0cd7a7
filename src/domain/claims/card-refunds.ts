/**
 * A claim payment issued one at a time through the payment provider instead of a bank batch
 * (docs/claim-money.md, Paying by card refund): a refund onto the card the claimant paid the
 * policy's premiums with. The payment row is locked while the provider is asked, so a batch
 * (`FOR UPDATE SKIP LOCKED`) passes it by and a void waits and then finds it no longer approved;
 * the provider is sent a key derived from the payment, so a retry after a lost answer gets the
 * same refund. Nothing is written unless the provider made the refund.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PaymentSettled } from '../../contracts/claim-payments';
import { Claim, ClaimPayment } from '../../models';
import { findClaimToWorkMoneyOf } from './rules';
import { enqueueSignal } from '../../services/outbox';
import {
  claimPaymentRefundIdempotencyKey,
  PaymentProviderRefusal,
  type PaymentProvider,
  type ProviderRefund,
  type ProviderRefundFailure,
} from '../../services/payment-provider';
import { postPaymentCleared, postPaymentFailed, postPaymentIssued } from './ledger-postings';
import { recordPaymentEvents } from './webhook-events';
import { ApiError, conflict, notFound, unprocessable } from '../../shared/errors';
import { toMinorUnits } from '../../shared/money';
import { audited } from '../audited';
import { recordAudit, type AuditSource } from '../audit/record';
import { postReversedByProvider } from '../ledger/post';
import { cardChargeLeftOf } from '../premiums/card-charges';
import type { Command, CommandDeps } from '../command';
import { flagRecoveriesBeyondPaid } from './money';
import { signalPaymentSettled } from './payments';

export interface CardRefundInput {
  id: string;
  paymentId: string;
}

/** Stripe's refund statuses that end it at once; any other (`pending`, `requires_action`) leaves the payment issued. */
const SUCCEEDED = 'succeeded';
const FAILED = ['failed', 'canceled'];

/** A premium payment taken through the provider: the card a claim payment is refunded onto. */
interface Card {
  id: string;
  intentId: string;
}

/**
 * The card to refund: the most recent premium payment of the subscription taken through the
 * provider, in the claim payment's currency, whose charge has at least `amountMinor` left to refund
 * (`cardChargeLeftOf`: premium refunds onto it and earlier claim card refunds counted). The
 * subscription's card payments are locked first (`FOR NO KEY UPDATE`: a premium refund may still
 * reference them), so two claim payments refunded at once count each other; what is left is read by
 * later statements, which see what the other committed.
 */
async function cardCovering(
  deps: Pick<CommandDeps, 'sequelize'>,
  where: { tenantId: string; subscriptionId: string; provider: string; currency: string },
  amountMinor: number,
  transaction: Transaction,
): Promise<Card | undefined> {
  const cards = await deps.sequelize.query<Card>(
    `SELECT pp.id, pp.provider_payment_id AS "intentId"
       FROM premium_payments pp JOIN invoices i ON i.id = pp.invoice_id
      WHERE i.subscription_id = :subscriptionId AND pp.tenant_id = :tenantId AND pp.provider = :provider
        AND pp.provider_payment_id IS NOT NULL AND pp.currency = :currency
      ORDER BY pp.received_at DESC, pp.id DESC
        FOR NO KEY UPDATE OF pp`,
    { replacements: where, transaction, type: QueryTypes.SELECT },
  );
  if (cards.length === 0) return undefined;
  const left = await cardChargeLeftOf(
    cards.map(({ id }) => ({ id, currency: where.currency })),
    transaction,
  );
  return cards.find((card) => (left.get(card.id) ?? 0) >= amountMinor);
}

/** The card a payment marked before was going to: the same one, so a repeat asks the provider for the same refund. */
async function cardById(deps: Pick<CommandDeps, 'sequelize'>, premiumPaymentId: string, transaction: Transaction): Promise<Card> {
  const [card] = await deps.sequelize.query<Card>(
    `SELECT id, provider_payment_id AS "intentId" FROM premium_payments WHERE id = :premiumPaymentId`,
    { replacements: { premiumPaymentId }, transaction, type: QueryTypes.SELECT },
  );
  return card;
}

/** Asks the provider for the refund; a refusal (or a refund it failed at once) is 422 naming its reason. */
async function refundAtProvider(
  provider: PaymentProvider,
  paymentId: string,
  paymentIntentId: string,
  money: { amountMinor: number; currency: string },
) {
  let refund: ProviderRefund;
  try {
    refund = await provider.createRefund({ paymentIntentId, ...money, idempotencyKey: claimPaymentRefundIdempotencyKey(paymentId) });
  } catch (err) {
    if (!(err instanceof PaymentProviderRefusal)) throw err;
    throw unprocessable(`The payment provider refused the refund: ${err.message}`, [
      { field: 'paymentId', message: 'refused by the payment provider', rule: 'provider_refused', reason: err.message.slice(0, 500) },
    ]);
  }
  if (FAILED.includes(refund.status))
    throw unprocessable(`The payment provider answered the refund ${refund.status}`, [
      { field: 'paymentId', message: `the refund is ${refund.status} at the payment provider`, rule: 'provider_refused' },
    ]);
  return refund;
}

/**
 * Marks the payment as going out by card refund, with the card it goes to, and commits that before
 * the provider is asked: from then on no batch takes it and no void ends it, so a process that dies
 * after the provider refunded leaves a payment that only this route (the same key, the same card,
 * so the same refund) can finish. A payment marked before (a repeat after an outage) keeps its card.
 */
async function startCardRefund(
  deps: Pick<CommandDeps, 'sequelize'>,
  refund: {
    claim: { tenantId: string; subscriptionId: string };
    paymentId: string;
    currency: string;
    amountMinor: number;
    provider: string;
  },
  notApproved: (status: string) => Error,
): Promise<Card> {
  return deps.sequelize.transaction(async (transaction) => {
    const locked = await ClaimPayment.findByPk(refund.paymentId, { lock: transaction.LOCK.UPDATE, transaction });
    if (locked?.status !== 'approved') throw notApproved(locked?.status ?? 'gone');
    const where = {
      tenantId: refund.claim.tenantId,
      subscriptionId: refund.claim.subscriptionId,
      provider: refund.provider,
      currency: refund.currency,
    };
    const card = locked.refundedPremiumPaymentId
      ? await cardById(deps, locked.refundedPremiumPaymentId, transaction)
      : await cardCovering(deps, where, refund.amountMinor, transaction);
    if (!card)
      throw unprocessable('No card payment of this policy covers it; issue it in a payment batch', [
        { field: 'paymentId', message: 'no premium card payment with enough left to refund', rule: 'no_card_payment' },
      ]);
    await locked.update(
      { cardRefundStartedAt: locked.cardRefundStartedAt ?? new Date(), refundedPremiumPaymentId: card.id },
      { transaction },
    );
    return card;
  });
}

/**
 * Issues one approved claim payment to the claimant as a refund onto their premium card:
 * `cleared` when the provider answers the refund succeeded, `issued` while it is pending (then
 * cleared or failed with /clear and /fail, as a bank payment is). `provider` is the process's
 * payment provider, undefined when none is configured (404, as the premiums' card routes answer).
 */
export function issueCardRefund(provider: PaymentProvider | undefined): Command<CardRefundInput, ClaimPayment> {
  return async (caller, { id, paymentId }, deps) => {
    const claim = await findClaimToWorkMoneyOf(caller, id);
    const current = await ClaimPayment.findOne({ where: { id: paymentId, claimId: claim.id, kind: 'partial' } });
    if (!current) throw unprocessable('The claim has no such payment', [{ field: 'paymentId', message: 'is not a payment of this claim' }]);
    const notApproved = (status: string) =>
      conflict(`The payment is ${status}: only an approved payment is issued by card refund`, [
        { field: 'paymentId', message: `is ${status}`, status },
      ]);
    if (current.status !== 'approved') throw notApproved(current.status);
    if (current.payeeKind !== 'claimant')
      throw unprocessable('A card refund reaches only the card’s holder: pay a third party in a payment batch', [
        { field: 'paymentId', message: 'is not paid to the claimant', rule: 'payee_not_claimant' },
      ]);
    if (!provider) throw notFound('Payment provider');
    const currency = current.currency!;
    const amountMinor = toMinorUnits(current.amount, currency)!;

    const card = await startCardRefund(deps, { claim, paymentId, currency, amountMinor, provider: provider.name }, notApproved);
    let refund: ProviderRefund;
    try {
      refund = await refundAtProvider(provider, paymentId, card.intentId, { amountMinor, currency });
    } catch (err) {
      // Refused: nothing left; the payment may go in a batch again. Unreachable: it may have left, so it stays marked.
      if (err instanceof ApiError && err.status === 422)
        await ClaimPayment.update(
          { cardRefundStartedAt: null, refundedPremiumPaymentId: null },
          { where: { id: paymentId, status: 'approved', providerRefundId: null } },
        );
      throw err;
    }
    const status: PaymentSettled['status'] = refund.status === SUCCEEDED ? 'cleared' : 'issued';

    const signals: Parameters<CommandDeps['outbox']['deliver']>[0][] = [];
    const issued = await audited(
      deps,
      async (transaction) => {
        const locked = await ClaimPayment.findByPk(paymentId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
        // A concurrent repeat recorded the same refund first (the provider answered both with it).
        if (locked.status !== 'approved') throw notApproved(locked.status);
        await locked.update(
          { status, issuedAt: new Date(), paidAt: status === 'cleared' ? new Date() : null, providerRefundId: refund.id },
          { transaction },
        );
        // Issued as the provider took the refund, and cleared at once when it succeeded: the two entries a bank payment has.
        const moved = {
          tenantId: claim.tenantId,
          claimId: claim.id,
          paymentId,
          reference: locked.reference,
          amount: locked.amount,
          currency,
        };
        await postPaymentIssued(deps.sequelize, moved, transaction);
        if (status === 'cleared') await postPaymentCleared(deps.sequelize, moved, transaction);
        signals.push(await signalPaymentSettled(deps.outbox, claim, { paymentId, status }, transaction));
        // Issued as the provider took the refund; cleared too when it answered that it succeeded.
        await recordPaymentEvents([paymentId], status === 'cleared' ? ['issued', 'cleared'] : status, caller.id, transaction);
        return locked;
      },
      (payment) => ({
        tenantId: claim.tenantId,
        action: 'claim.payment_card_refunded',
        entityType: 'claim',
        entityId: claim.id,
        before: { payment: { id: payment.id, status: 'approved' } },
        after: {
          payment: { id: payment.id, reference: payment.reference, amount: payment.amount, status: payment.status },
          providerRefundId: payment.providerRefundId,
          premiumPaymentId: payment.refundedPremiumPaymentId,
        },
      }),
    );
    await Promise.all(signals.map((message) => deps.outbox.deliver(message)));
    return issued;
  };
}

/** The claim payment refunded onto the card paid as `premiumPaymentId` whose refund is the provider's `providerRefundId`, locked. */
export function cardRefundOf(premiumPaymentId: string, providerRefundId: string, transaction: Transaction): Promise<ClaimPayment | null> {
  return ClaimPayment.findOne({
    where: { refundedPremiumPaymentId: premiumPaymentId, providerRefundId },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
}

/**
 * Records `payment`'s card refund (locked by the caller) failed at the provider, in the event's
 * transaction: Stripe may report a refund `succeeded` and later `failed`, when the card was closed
 * or its bank returned the money. The money is then the insurer's again and the claimant unpaid, as
 * for a payment the bank returned: the payment becomes `failed` (its figures no longer count it paid),
 * its `cleared` entry is reversed (the money is back in cash) before its `failed` entry, recoveries
 * beyond what is now paid are flagged, and the run is told through the outbox (its amount back on the
 * reserve line, the claimant mailed). A payment failed already (another event about the same refund)
 * changes nothing.
 */
export async function recordCardRefundFailed(
  sequelize: Sequelize,
  payment: ClaimPayment,
  failure: ProviderRefundFailure,
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  const wasStatus = payment.status;
  if (wasStatus !== 'issued' && wasStatus !== 'cleared') return;
  const reason = `Card refund failed at the payment provider${failure.failureReason ? `: ${failure.failureReason}` : ''}`.slice(0, 200);
  await payment.update({ status: 'failed', failedAt: new Date(), failureReason: reason }, { transaction });
  const claim = await Claim.findByPk(payment.claimId, { transaction, rejectOnEmpty: true });
  const moved = {
    tenantId: claim.tenantId,
    claimId: claim.id,
    paymentId: payment.id,
    reference: payment.reference,
    amount: payment.amount,
    currency: payment.currency!,
  };
  if (wasStatus === 'cleared')
    await postReversedByProvider(
      sequelize,
      claim.tenantId,
      ['claim_payment', payment.id, 'cleared'],
      `Claim payment ${payment.reference} cleared, then its card refund failed at the provider`,
      transaction,
    );
  await postPaymentFailed(sequelize, moved, transaction);
  await flagRecoveriesBeyondPaid(claim, { id: payment.id, reference: payment.reference, currency: moved.currency }, source, transaction);
  // Delivered by the API's relay once this commits: the provider's event has no request to deliver it at once.
  await signalPaymentSettled({ enqueueSignal }, claim, { paymentId: payment.id, status: 'failed', reason }, transaction);
  await recordPaymentEvents([payment.id], 'failed', null, transaction);
  await recordAudit(
    source,
    {
      tenantId: claim.tenantId,
      action: 'claim.payment_failed',
      entityType: 'claim',
      entityId: claim.id,
      before: { payment: { id: payment.id, status: wasStatus } },
      after: {
        payment: { id: payment.id, reference: payment.reference, status: 'failed' },
        providerRefundId: payment.providerRefundId,
        eventId: failure.eventId,
        ...(failure.failureReason && { providerError: failure.failureReason.slice(0, 500) }),
      },
      reason: 'provider_failed',
      // The same key as the bank's answer: one event per payment and answer, however many events brought it.
      dedupeKey: `payment:${payment.id}:settled:failed`,
    },
    transaction,
  );
}
