/**
 * The refund of a cancelled subscription's paid, unused premium (docs/premiums.md, Refunds; the
 * rule is `proRataRefund`, src/shared/refunds.ts). Run by the activity that records the
 * cancellation; idempotent: whatever is retried, one cancellation gives one set of refunds.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { premiumRefundRun, type PremiumRefundWorkflow } from '../../contracts/premium-refund';
import { Invoice, OutboxMessage, PremiumPayment, PremiumRefund, SubscriptionVersion } from '../../models';
import type { StartWorkflowPayload } from '../../models/outbox-message';
import { TERM_COLUMNS, termStartOf, UNPAID_INVOICE_STATUSES, type TermOfRow } from '../../models/invoice';
import { lapsesWithin } from '../../models/lapse-periods';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { proRataRefund, type RefundTerms } from '../../shared/refunds';
import { claimPaidInTerm } from '../claims/cover';
import { coverEndOf, coverStartOf, dayAfter } from '../subscriptions/cover';
import { recordAudit, type AuditSource } from '../audit/record';
import { cardChargeLeftOf } from './card-charges';
import { postInvoiceVoided, postPremiumEarnedInFull, postRefundPaid, postRefundsOwed } from './ledger-postings';
import { postRefundPaidAgain } from './refunds-failed';
import { recordInvoiceEvent } from './webhook-events';

export const REFUND_REASON = 'Pro rata refund of the unused term on cancellation';

/** A refund made in the provider's dashboard, which Insurflow learns of from the provider's event. */
export const REFUNDED_AT_PROVIDER_REASON = 'Refunded at the payment provider';

/** A payment's credit given back on staff's word while the policy runs (./credit-refunds.ts). */
export const CREDIT_REFUND_REASON = 'Policyholder credit given back';

/** The refunds that give a payment's credit back first: a dashboard refund, and a credit refund (all credit). */
const CREDIT_FIRST_REASONS = [REFUNDED_AT_PROVIDER_REASON, CREDIT_REFUND_REASON];

type CancelledRow = TermOfRow & {
  tenantId: string;
  status: string;
  cancelledAt: Date | null;
  cancelledOn: string | null;
  coverBeganOn: string | null;
};

/** Names the refunds of one cancellation: the subscription's term, then the payment refunded. */
const cancellationKey = (subscriptionId: string, term: number) => `${subscriptionId}:cancel:${term}`;

/**
 * Refunds the cancelled term's paid, unused part, the most recent payments first (each at most
 * what it brought): through the provider when the payment came through one (`pending`, and a
 * `premium-refund-<id>` run started through the outbox sends it), else recorded as `owed` to be
 * paid back by hand. The term's unpaid
 * invoices are voided (those of a term earned in full, `claimPaid`, stay owed, due on the cancellation day); a paid one is `refunded` once its refunds, this cancellation's and those before it,
 * cover what was applied to it, `partially_refunded` before (`refundStatusOf`); a partly paid one nothing is refunded from is `paid` at what was paid on it. Nothing happens for a row that is not cancelled, or a
 * cancellation already refunded. The refunds and what the closed invoices still owed are posted
 * to the books with them, the refunds' first part as the term's credit given back whole.
 */
export async function refundOnCancellation(sequelize: Sequelize, subscriptionId: string, source: AuditSource): Promise<PremiumRefund[]> {
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<CancelledRow>(
      `SELECT ${TERM_COLUMNS}, status, cancelled_at AS "cancelledAt", (cancelled_at AT TIME ZONE 'UTC')::date::text AS "cancelledOn",
              cover_began_on::text AS "coverBeganOn"
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
    const payments = await paymentsLatestFirst(invoices, transaction);
    // What was refunded already (a policy change's return premium, a refund in the provider's dashboard) is
    // not paid any more: the credit it gave back is no credit left, the rest is premium given back.
    const refundable = await refundableOf(payments, transaction);
    const creditBack = await creditGivenBackOf(payments, transaction);
    const creditMinor = payments.reduce((total, payment) => total + payment.creditMinor - (creditBack.get(payment.id) ?? 0), 0);
    const premiumBack = payments.reduce(
      (total, payment) => total + payment.amountMinor - (refundable.get(payment.id) ?? 0) - (creditBack.get(payment.id) ?? 0),
      0,
    );
    const applied = payments.reduce((total, payment) => total + payment.amountMinor - payment.creditMinor, 0);
    const paidMinor = Math.max(applied - premiumBack, 0);
    const premiums = await termPremiums(subscriptionId, termStart, row.endDate, premiumMinor, row.currency, transaction);
    // Used until cover ended: the cancellation day, or the day after it when a loss of that day was claimed before it.
    const end = await coverEndOf(
      { id: subscriptionId, status: row.status, endDate: row.endDate, cancelledAt: row.cancelledAt },
      transaction,
    );
    const coverUntil = dayAfter(end!.lastDay);
    // The days billed before cover began (its first premium paid late) were never covered: none is used; nor any of a
    // policy whose cover never began.
    const coverFrom = coverStartOf(row) ?? row.endDate;
    // Nor the days of a lapse: an instalment unpaid past its grace suspended cover (a claim for one is refused).
    const lapses = await lapsesWithin(sequelize, subscriptionId, { from: termStart, until: row.endDate }, transaction);
    // A claim of the term approved or paid earns its premium in full; one still filed or under review may yet be denied.
    const claimPaid = await claimPaidInTerm(sequelize, subscriptionId, { termStart, termEnd: row.endDate }, transaction);
    const owed = proRataRefund({
      ...premiums,
      coverUntil,
      coverFrom,
      lapses,
      claimPaid,
      termStart,
      termEnd: row.endDate,
      paidMinor,
      creditMinor,
    });
    const cause = {
      tenantId: row.tenantId,
      subscriptionId,
      reason: REFUND_REASON,
      dedupeKeyOf: (paymentId: string) => `${key}:${paymentId}`,
    };
    const { refunds } = await refundFromPayments(cause, payments, refundable, owed, transaction);
    // The premium returned is earned over the term until the last day used (docs/ledger.md, What posts).
    const cover = { from: termStart, until: coverUntil };
    await postRefundsOwed(sequelize, refunds, { term: row.renewalCount, cover, creditMinor }, transaction);

    let stillOwedMinor = 0;
    for (const invoice of invoices) {
      const applied = payments.filter((p) => p.invoiceId === invoice.id).reduce((total, p) => total + p.amountMinor - p.creditMinor, 0);
      const wasUnpaid = UNPAID_INVOICE_STATUSES.includes(invoice.status);
      // A term earned in full is owed in full: its unpaid instalments stay owed, due at once (cover has ended, there is
      // no month left to pay for), rather than given up while the whole premium is counted earned.
      if (claimPaid && wasUnpaid) {
        stillOwedMinor += invoice.amountMinor - applied;
        if (String(invoice.dueDate) > row.cancelledOn) await invoice.update({ dueDate: row.cancelledOn }, { transaction });
        continue;
      }
      // Counted with the refunds made before this one (a policy change's return premium, a dashboard refund).
      const { status: refundStatus } = await refundStatusOf(invoice, transaction);
      const owedMinor = invoice.amountMinor - applied;
      // A partly paid instalment is settled by what was paid on it, as a policy change's credit settles one
      // (./policy-change-billing.ts): no longer chased for a cancelled policy, nor billed beyond it (the reports),
      // whether the refund gives back part of it or nothing of it.
      const settled = wasUnpaid ? { amountMinor: applied } : {};
      if (wasUnpaid && applied === 0) await invoice.update({ status: 'void' }, { transaction });
      else if (refundStatus) await invoice.update({ ...settled, status: refundStatus }, { transaction });
      else if (wasUnpaid) await invoice.update({ ...settled, status: 'paid', paidAt: new Date() }, { transaction });
      // What it still owed is owed no more.
      if (wasUnpaid) await postInvoiceVoided(sequelize, invoice, owedMinor, cover, transaction);
    }
    if (claimPaid) {
      const policy = { tenantId: row.tenantId, subscriptionId, currency: row.currency };
      await postPremiumEarnedInFull(sequelize, policy, { term: row.renewalCount, cover }, transaction);
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
          claimPaid,
          stillOwedMinor,
          refunds: refunds.map((r) => r.id),
        },
        dedupeKey: key,
      },
      transaction,
    );
    return refunds;
  });
}

/**
 * The term's premium as its versions had it (docs/premiums.md, Policy changes): the premium in force
 * on its first day (the row's when the policy has no versions), and each change in the term after it.
 */
async function termPremiums(
  subscriptionId: string,
  termStart: string,
  termEnd: string,
  rowPremiumMinor: number,
  currency: string,
  transaction: Transaction,
): Promise<Pick<RefundTerms, 'premiumMinor' | 'premiumChanges'>> {
  const versions = await SubscriptionVersion.findAll({
    where: { subscriptionId, effectiveFrom: { [Op.lt]: termEnd } },
    order: [['number', 'ASC']],
    transaction,
  });
  const minorOf = (version: SubscriptionVersion) => toMinorUnits(version.premium, currency) ?? rowPremiumMinor;
  const first = versions.filter((version) => String(version.effectiveFrom) <= termStart).at(-1);
  return {
    premiumMinor: first ? minorOf(first) : rowPremiumMinor,
    premiumChanges: versions
      .filter((version) => String(version.effectiveFrom) > termStart)
      .map((version) => ({ from: String(version.effectiveFrom), premiumMinor: minorOf(version) })),
  };
}

/** The payments made on `invoices`, the most recent first: a refund gives back the latest money first. */
export function paymentsLatestFirst(invoices: Invoice[], transaction: Transaction): Promise<PremiumPayment[]> {
  return PremiumPayment.findAll({
    where: { invoiceId: invoices.map(({ id }) => id) },
    order: [
      ['receivedAt', 'DESC'],
      ['createdAt', 'DESC'],
    ],
    transaction,
  });
}

/** Why money goes back, and the key that names each payment's refund for that cause (never refunded twice). */
export interface RefundCause {
  tenantId: string;
  subscriptionId: string;
  reason: string;
  dedupeKeyOf: (paymentId: string) => string;
  /** The refund's id, when the request names it (its Idempotency-Key); a new one otherwise. */
  idOf?: (paymentId: string) => string;
}

/**
 * Refunds up to `amountMinor` from `payments` in their order, each at most what it may still give
 * back (`refundable`): through the provider the payment came through (`pending`, its run started
 * through the outbox), else `owed`, to be paid back by hand. A card payment's refund through the
 * provider is at most what is left on its charge (`cardChargeLeftOf`: a claim payment refunded onto
 * the card took part of it); the rest is `owed` (no provider), a second row keyed
 * `<key>:by_hand`. Answers the refunds and what no payment could give back.
 */
export async function refundFromPayments(
  cause: RefundCause,
  payments: PremiumPayment[],
  refundable: Map<string, number>,
  amountMinor: number,
  transaction: Transaction,
): Promise<{ refunds: PremiumRefund[]; leftMinor: number }> {
  const refunds: PremiumRefund[] = [];
  const chargeLeft = await cardChargeLeftOf(
    payments.filter((payment) => payment.provider),
    transaction,
  );
  let left = amountMinor;
  for (const payment of payments) {
    if (left === 0) break;
    const refundMinor = Math.min(left, refundable.get(payment.id) ?? 0);
    if (refundMinor <= 0) continue;
    left -= refundMinor;
    const onCard = payment.provider ? Math.min(refundMinor, chargeLeft.get(payment.id) ?? 0) : 0;
    const parts = [
      { amountMinor: onCard, provider: payment.provider, dedupeKey: cause.dedupeKeyOf(payment.id) },
      {
        amountMinor: refundMinor - onCard,
        provider: null,
        dedupeKey: payment.provider ? `${cause.dedupeKeyOf(payment.id)}:by_hand` : cause.dedupeKeyOf(payment.id),
      },
    ].filter((part) => part.amountMinor > 0);
    for (const [index, part] of parts.entries()) {
      const refund = await PremiumRefund.create(
        {
          ...(cause.idOf && index === 0 && { id: cause.idOf(payment.id) }),
          tenantId: cause.tenantId,
          subscriptionId: cause.subscriptionId,
          invoiceId: payment.invoiceId,
          paymentId: payment.id,
          amountMinor: part.amountMinor,
          currency: payment.currency,
          reason: cause.reason,
          status: part.provider ? 'pending' : 'owed',
          provider: part.provider,
          dedupeKey: part.dedupeKey,
        },
        { transaction },
      );
      if (refund.status === 'pending') await enqueueProviderRefund(refund, transaction);
      await recordRefundEvent(refund, transaction);
      refunds.push(refund);
    }
  }
  return { refunds, leftMinor: left };
}

/** The refunds of `payments` that gave money back or will (a failed one gave nothing back). */
const refundsGivingBack = (payments: PremiumPayment[], transaction: Transaction) =>
  PremiumRefund.findAll({ where: { paymentId: payments.map(({ id }) => id), status: { [Op.ne]: 'failed' } }, transaction });

const totalOf = (refunds: PremiumRefund[]) => refunds.reduce((total, refund) => total + refund.amountMinor, 0);

/**
 * The status an invoice's refunds give it (docs/premiums.md, Refunds), counting every refund of it not failed,
 * whichever path made it: a cancellation, a policy change's return premium, a refund in the provider's dashboard.
 * `refunded` once they cover what its payments applied, `partially_refunded` before; what a refund gave back of a
 * payment's credit (a dashboard or credit refund) refunds nothing of the invoice. Null when none of its premium was
 * refunded, or nothing was applied to it; answered with what its payments applied. Every path that refunds asks this one function: a path counting only the
 * refunds it made itself left an invoice refunded in full by a change and then a cancellation `partially_refunded`.
 */
export async function refundStatusOf(
  invoice: Invoice,
  transaction: Transaction,
): Promise<{ status: 'refunded' | 'partially_refunded' | null; appliedMinor: number }> {
  const payments = await PremiumPayment.findAll({ where: { invoiceId: invoice.id }, transaction });
  const refunds = await refundsGivingBack(payments, transaction);
  const creditBack = await creditGivenBackOf(payments, transaction);
  const appliedMinor = payments.reduce((total, payment) => total + payment.amountMinor - payment.creditMinor, 0);
  const refunded = totalOf(refunds) - payments.reduce((total, payment) => total + (creditBack.get(payment.id) ?? 0), 0);
  if (refunded <= 0 || appliedMinor === 0) return { status: null, appliedMinor };
  return { status: refunded >= appliedMinor ? 'refunded' : 'partially_refunded', appliedMinor };
}

/** What each payment brought, less what was refunded from it already. */
export async function refundableOf(payments: PremiumPayment[], transaction: Transaction): Promise<Map<string, number>> {
  const refunded = await refundsGivingBack(payments, transaction);
  return new Map(
    payments.map((payment) => [payment.id, payment.amountMinor - totalOf(refunded.filter((r) => r.paymentId === payment.id))]),
  );
}

/**
 * What each payment's refunds in the provider's dashboard, and its credit refund, gave back of its credit
 * (what it paid beyond what its invoice owed): such a refund gives the payment's credit back first, as a
 * cancellation gives the term's. A policy change's return premium is premium; a cancellation gives back
 * once, after these.
 */
export async function creditGivenBackOf(payments: PremiumPayment[], transaction: Transaction): Promise<Map<string, number>> {
  const atProvider = (await refundsGivingBack(payments, transaction)).filter((refund) => CREDIT_FIRST_REASONS.includes(refund.reason));
  return new Map(
    payments.map((payment) => [payment.id, Math.min(payment.creditMinor, totalOf(atProvider.filter((r) => r.paymentId === payment.id)))]),
  );
}

/** The start of the run that sends a `pending` refund to its provider (src/workflows/premium-refund.ts). */
export function providerRefundStart(
  refund: Pick<PremiumRefund, 'id' | 'tenantId' | 'amountMinor' | 'currency' | 'provider'>,
): StartWorkflowPayload<PremiumRefundWorkflow> {
  return {
    workflowType: premiumRefundRun.type,
    args: [{ tenantId: refund.tenantId, refundId: refund.id }],
    tenantId: refund.tenantId,
    status: 'pending',
    summary: `Refund ${formatMinorUnits(refund.amountMinor, refund.currency)} ${refund.currency} through ${refund.provider}`,
  };
}

/** Starts, through the outbox, the run that sends a `pending` refund to its provider. */
function enqueueProviderRefund(refund: PremiumRefund, transaction: Transaction): Promise<OutboxMessage> {
  return OutboxMessage.create(
    { kind: 'start', workflowId: premiumRefundRun.id(refund.id), payload: providerRefundStart(refund) },
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

/**
 * A refund paid, in the transaction that makes it `succeeded`: posted to the books (Dr refunds
 * payable, Cr cash, on `paidAt`, today unless given) and told to the tenant's endpoints as
 * `invoice.refund_paid` (docs/webhooks.md), through the provider or by hand (the row's `paidMethod`).
 * Both are named by the refund: a refund paid is posted and told once, whichever path saw it first.
 * One whose provider's payment failed after it was paid (./refunds-failed.ts) is paid again when staff
 * pay it back by hand: its `paid` entry stands reversed, so the pay-back reverses that reversal and is
 * told again as `invoice.refund_paid`.
 */
export async function recordRefundPaid(
  sequelize: Sequelize,
  refund: PremiumRefund,
  transaction: Transaction,
  paidAt?: Date,
): Promise<void> {
  const time = paidAt ?? new Date();
  const paidAgain =
    !(await postRefundPaid(sequelize, refund, transaction, paidAt)) && (await postRefundPaidAgain(sequelize, refund, transaction, time));
  const byHand = refund.paidMethod !== null;
  await recordInvoiceEvent(
    refund,
    {
      type: 'invoice.refund_paid',
      data: {
        refundId: refund.id,
        reason: refund.reason,
        paidAt: time.toISOString(),
        provider: byHand ? null : refund.provider,
        method: refund.paidMethod,
        reference: refund.paidReference,
      },
      time,
      dedupeKey: `refund:${refund.id}:${paidAgain ? 'paid_again' : 'paid'}`,
    },
    transaction,
  );
}
