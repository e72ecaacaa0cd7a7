/**
 * What the payment provider's events do to invoices (docs/premiums.md, Payment provider): the
 * callbacks `INVOICE_MODEL_WIRING` hands the dispatcher. Each runs in the event's transaction, so
 * the event is recorded with its effect or not at all.
 *
 * Out of order: Stripe does not promise that `charge.refunded` arrives after
 * `payment_intent.succeeded`. A refund proves the charge was paid, so a refund of a payment not
 * yet recorded records that payment first (the charge's captured amount, under the same provider
 * payment id); the success arriving later finds it recorded and changes nothing. Either order
 * ends with one payment and its refund.
 */
import { Op, type Transaction } from 'sequelize';
import { ClaimPayment, Invoice, PaymentIntentRecord, PremiumPayment, PremiumRefund } from '../../../models';
import { recordAudit, type AuditSource } from '../../audit/record';
import type { ProviderEvent } from '../../../services/payment-provider';
import { applyPayment } from '../payments';
import { UNPAID_INVOICE_STATUSES } from '../../../models/invoice';
import { postInvoiceVoided, postRefundsOwed } from '../ledger-postings';
import { creditGivenBackOf, recordRefundEvent, recordRefundPaid, REFUNDED_AT_PROVIDER_REASON, refundStatusOf } from '../refunds';
import { applyFailureHeardBefore, FAILED_REFUND_STATUSES, recordRefundFailedAtProvider } from '../refunds-failed';
import { cardRefundOf, recordCardRefundFailed } from '../../claims/card-refunds';
import { claimCardRefundedMinor } from '../card-charges';
import type { InvoiceRef, MatchedPaymentEvent, NotAppliedOutcome, PaymentEventWiring } from './events';

/** Events change invoices on nobody's behalf but the provider's. */
const PROVIDER_SOURCE: AuditSource = { actor: { type: 'system', id: null } };

function invoiceDatabase() {
  const { sequelize } = Invoice;
  if (!sequelize) throw new Error('The invoice model is not initialised');
  return sequelize;
}

async function findInvoice(invoiceId: string, transaction: Transaction): Promise<InvoiceRef | undefined> {
  const invoice = await Invoice.findByPk(invoiceId, { transaction, lock: transaction.LOCK.UPDATE });
  if (!invoice) return undefined;
  const intent = await PaymentIntentRecord.findOne({ where: { invoiceId: invoice.id, tenantId: invoice.tenantId }, transaction });
  return { id: invoice.id, tenantId: invoice.tenantId, paymentIntentId: intent?.providerIntentId ?? null };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const positiveInteger = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/** The signed event's object (a charge for `charge.refunded`). */
function objectOf(event: ProviderEvent): Record<string, unknown> {
  const data = event.payload.data;
  return isRecord(data) && isRecord(data.object) ? data.object : {};
}

/** The money of an event is the invoice's currency or it is not applied: an intent is made in the invoice's currency. */
async function invoiceInCurrency(matched: MatchedPaymentEvent): Promise<Invoice | undefined> {
  const invoice = await Invoice.findOne({
    where: { id: matched.invoice.id, tenantId: matched.invoice.tenantId },
    transaction: matched.transaction,
  });
  return invoice && matched.event.currency === invoice.currency ? invoice : undefined;
}

/** Records the provider's payment once (a payment already recorded is answered again and changes nothing). */
async function recordProviderPayment(matched: MatchedPaymentEvent, amountMinor: number) {
  const { event, invoice, transaction } = matched;
  return applyPayment(
    invoiceDatabase(),
    {
      tenantId: invoice.tenantId,
      invoiceId: invoice.id,
      amountMinor,
      method: 'card',
      reference: event.paymentIntentId,
      provider: event.provider,
      providerPaymentId: event.paymentIntentId,
      receivedAt: new Date(),
    },
    PROVIDER_SOURCE,
    transaction,
  );
}

async function onPaymentSucceeded(matched: MatchedPaymentEvent): Promise<NotAppliedOutcome | void> {
  const amountMinor = positiveInteger(matched.event.amountMinor);
  if (!amountMinor || !matched.event.paymentIntentId) return;
  if (!(await invoiceInCurrency(matched))) return 'currency_mismatch';
  await recordProviderPayment(matched, amountMinor);
}

/** A failed attempt changes no invoice: the invoice stays unpaid, and the event keeps what happened. */
async function onPaymentFailed(): Promise<void> {}

/**
 * `charge.refunded` carries what has been refunded of the charge so far. The refunds Insurflow
 * asked for (`pending`, from a cancellation) are marked `succeeded` as that total covers them,
 * oldest first; a total beyond every refund recorded (a refund made in the provider's dashboard)
 * is recorded as a `succeeded` refund of the difference. The invoice is then `refunded` when its
 * refunds cover what was applied to it, `partially_refunded` before (docs/premiums.md, Refunds).
 */
async function onRefunded(matched: MatchedPaymentEvent): Promise<NotAppliedOutcome | void> {
  const { event, transaction } = matched;
  const refundedMinor = positiveInteger(event.amountMinor);
  if (!refundedMinor || !event.paymentIntentId) return;
  const invoice = await invoiceInCurrency(matched);
  if (!invoice) return 'currency_mismatch';
  const paidMinor = positiveInteger(event.capturedMinor);
  const known = await PremiumPayment.findOne({
    where: { provider: event.provider, providerPaymentId: event.paymentIntentId },
    transaction,
  });
  const payment = known ?? (paidMinor ? (await recordProviderPayment(matched, paidMinor)).payment : undefined);
  // A charge's metadata is its intent's: a payment recorded on another invoice is not this invoice's to refund.
  if (!payment || payment.invoiceId !== invoice.id) return;

  // The refunds on the charge: one paid back by hand (refused by the provider, or the part the charge could not take) is not.
  const refunds = await PremiumRefund.findAll({
    where: { paymentId: payment.id, status: { [Op.in]: ['pending', 'succeeded'] }, paidMethod: null },
    order: [['createdAt', 'ASC']],
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  // Claim payments refunded onto this card (docs/claim-money.md, Paying by card refund) are in the charge's total too: not premium refunds.
  const claimRefundedMinor = await claimCardRefundedMinor(payment.id, invoice.currency, transaction);
  let uncovered =
    refundedMinor - claimRefundedMinor - refunds.filter((r) => r.status === 'succeeded').reduce((total, r) => total + r.amountMinor, 0);
  for (const refund of refunds.filter((r) => r.status === 'pending')) {
    if (refund.amountMinor > uncovered) break;
    uncovered -= refund.amountMinor;
    await refund.update({ status: 'succeeded' }, { transaction });
    await recordRefundPaid(invoiceDatabase(), refund, transaction);
  }
  const pendingLeft = refunds.some((r) => r.status === 'pending');
  // The charge's refunded total names this refund: a redelivery under another event id adds nothing.
  const dedupeKey = `${event.provider}:${event.objectId ?? payment.id}:refunded:${refundedMinor}`;
  if (uncovered > 0 && !pendingLeft && !(await PremiumRefund.findOne({ where: { dedupeKey }, transaction }))) {
    // The payment's credit first (what it paid beyond what the invoice owed), then premium.
    const creditLeft = payment.creditMinor - ((await creditGivenBackOf([payment], transaction)).get(payment.id) ?? 0);
    const refund = await PremiumRefund.create(
      {
        tenantId: invoice.tenantId,
        subscriptionId: invoice.subscriptionId,
        invoiceId: invoice.id,
        paymentId: payment.id,
        amountMinor: Math.min(uncovered, payment.amountMinor),
        currency: invoice.currency,
        reason: REFUNDED_AT_PROVIDER_REASON,
        status: 'succeeded',
        provider: event.provider,
        providerRefundId: event.objectId ?? null,
        dedupeKey,
      },
      { transaction },
    );
    await recordRefundEvent(refund, transaction);
    // Owed and paid at once: the provider gave it back before Insurflow knew it was owed.
    await postRefundsOwed(invoiceDatabase(), [refund], { term: invoice.term, creditMinor: creditLeft }, transaction);
    await recordRefundPaid(invoiceDatabase(), refund, transaction);
    // Its failure may have been reported before this event came.
    await applyFailureHeardBefore(invoiceDatabase(), refund, event.paymentIntentId, 'dashboard', PROVIDER_SOURCE, transaction);
  }
  await settleRefundedInvoice(invoice, transaction);
  await recordAudit(
    PROVIDER_SOURCE,
    {
      tenantId: invoice.tenantId,
      action: 'invoice.refund',
      entityType: 'invoice',
      entityId: invoice.id,
      after: { status: invoice.status, paymentId: payment.id, refundedMinor, eventId: event.id },
    },
    transaction,
  );
}

/** The status all the invoice's refunds give it (`refundStatusOf`), a cancellation's and a policy change's included. */
async function settleRefundedInvoice(invoice: Invoice, transaction: Transaction): Promise<void> {
  const { status, appliedMinor } = await refundStatusOf(invoice, transaction);
  if (!status) return;
  const wasUnpaid = UNPAID_INVOICE_STATUSES.includes(invoice.status);
  await invoice.update({ status }, { transaction });
  // A partly paid invoice closed by its refund owes its unpaid rest no more.
  if (wasUnpaid) await postInvoiceVoided(invoiceDatabase(), invoice, invoice.amountMinor - appliedMinor, {}, transaction);
}

/** The payment taken through the event's PaymentIntent whose refund a refund's event names. */
async function cardPaymentOfEvent(event: ProviderEvent, transaction: Transaction): Promise<PremiumPayment | null> {
  if (!event.objectId || !event.paymentIntentId) return null;
  return PremiumPayment.findOne({ where: { provider: event.provider, providerPaymentId: event.paymentIntentId }, transaction });
}

/**
 * The refund Insurflow sent that a refund's event is about: the provider's refund id on a refund of
 * the payment taken through the event's PaymentIntent (a refund id alone is the provider's to reuse
 * across accounts and test fixtures; the PaymentIntent is the invoice's own). The payment's refunds are
 * locked before their ids are read: a refund's run recording the id Stripe answered it is waited for, and
 * one that records it after this event commits finds the event (`applyFailureHeardBefore`).
 */
async function refundOfEvent(event: ProviderEvent, transaction: Transaction): Promise<PremiumRefund | null> {
  const payment = await cardPaymentOfEvent(event, transaction);
  if (!payment || !event.objectId) return null;
  const refunds = await PremiumRefund.findAll({
    where: { paymentId: payment.id, provider: event.provider },
    order: [['id', 'ASC']],
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  const sent = refunds.find((refund) => refund.providerRefundId === event.objectId);
  if (sent) return sent;
  // A claim payment refunded onto this card is no premium refund, whatever its charge and amount.
  const claimRefund = await ClaimPayment.count({
    where: { refundedPremiumPaymentId: payment.id, providerRefundId: event.objectId },
    transaction,
  });
  return claimRefund > 0 ? null : (refundMadeAtProvider(event, refunds) ?? null);
}

/**
 * A refund made in the provider's dashboard that the event is about: it was recorded from `charge.refunded`,
 * which names the charge, not the refund, so its row holds the charge's id until a refund's event names the
 * refund. Such an event about a refund Insurflow never sent (nor a claim payment's card refund) is that row's when
 * it names the row's charge and amount, and the row was given back (`succeeded` or `pending`); of two alike, either
 * is the same money.
 */
function refundMadeAtProvider(event: ProviderEvent, refunds: PremiumRefund[]): PremiumRefund | undefined {
  const charge = objectOf(event).charge;
  const chargeId = isRecord(charge) ? charge.id : charge;
  if (typeof chargeId !== 'string' || !chargeId) return undefined;
  return refunds.find(
    (refund) =>
      refund.reason === REFUNDED_AT_PROVIDER_REASON &&
      refund.providerRefundId === chargeId &&
      refund.amountMinor === event.amountMinor &&
      (refund.status === 'succeeded' || refund.status === 'pending'),
  );
}

/**
 * A claim payment refunded onto the card paid through the event's PaymentIntent (docs/claim-money.md, Paying by
 * card refund) that a refund's event is about, locked, with that card payment.
 */
async function claimCardRefundOfEvent(event: ProviderEvent, transaction: Transaction) {
  const card = await cardPaymentOfEvent(event, transaction);
  if (!card || !event.objectId) return null;
  const claimPayment = await cardRefundOf(card.id, event.objectId, transaction);
  return claimPayment && { card, claimPayment };
}

/** The invoice of the refund a refund's event is about: a premium refund's, or that of the card payment a claim payment was refunded onto. */
async function findRefundInvoice(event: ProviderEvent, transaction: Transaction) {
  const refund = await refundOfEvent(event, transaction);
  if (refund) return { invoiceId: refund.invoiceId, tenantId: refund.tenantId };
  const claimRefund = await claimCardRefundOfEvent(event, transaction);
  return claimRefund ? { invoiceId: claimRefund.card.invoiceId, tenantId: claimRefund.card.tenantId } : undefined;
}

/**
 * A refund's event (`charge.refund.updated`, `refund.updated`, `refund.failed`): when it says the
 * refund failed (or was canceled), the refund Insurflow sent is recorded failed, even after it was
 * reported succeeded (./refunds-failed.ts), and so is a claim payment's card refund (the claim's
 * payment fails, src/domain/claims/card-refunds.ts); any other status changes nothing.
 */
async function onRefundUpdated(matched: MatchedPaymentEvent): Promise<NotAppliedOutcome | void> {
  const { event, transaction } = matched;
  // No refund of the invoice's is in another currency: such an event is about none of them.
  if (!(await invoiceInCurrency(matched))) return 'currency_mismatch';
  const object = objectOf(event);
  if (!FAILED_REFUND_STATUSES.includes(object.status)) return;
  const failureReason = typeof object.failure_reason === 'string' ? object.failure_reason : null;
  const refund = await refundOfEvent(event, transaction);
  if (!refund) {
    const claimRefund = await claimCardRefundOfEvent(event, transaction);
    if (claimRefund)
      await recordCardRefundFailed(
        invoiceDatabase(),
        claimRefund.claimPayment,
        { eventId: event.id, failureReason },
        PROVIDER_SOURCE,
        transaction,
      );
    return;
  }
  // A dashboard refund's row takes the refund's own id, so Stripe's other events about this failure find it failed.
  if (event.objectId && refund.providerRefundId !== event.objectId)
    await refund.update({ providerRefundId: event.objectId }, { transaction });
  await recordRefundFailedAtProvider(invoiceDatabase(), refund, { eventId: event.id, failureReason }, PROVIDER_SOURCE, transaction);
}

/**
 * A dispute moves no money yet (the provider holds it until decided): the event keeps it, and the audit record shows it to staff.
 * One in another currency than the invoice's disputes no payment of it, and is not shown as if it did.
 */
async function onDisputed(matched: MatchedPaymentEvent): Promise<NotAppliedOutcome | void> {
  const { event, invoice, transaction } = matched;
  if (!(await invoiceInCurrency(matched))) return 'currency_mismatch';
  await recordAudit(
    PROVIDER_SOURCE,
    {
      tenantId: invoice.tenantId,
      action: 'invoice.dispute',
      entityType: 'invoice',
      entityId: invoice.id,
      after: {
        disputeId: event.objectId ?? null,
        paymentIntentId: event.paymentIntentId ?? null,
        amountMinor: event.amountMinor ?? null,
        eventId: event.id,
      },
    },
    transaction,
  );
}

export const invoiceModelWiring: PaymentEventWiring = {
  findInvoice,
  findRefundInvoice,
  onPaymentSucceeded,
  onPaymentFailed,
  onRefunded,
  onDisputed,
  onRefundUpdated,
};
