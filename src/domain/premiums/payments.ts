/**
 * A premium payment applied to its invoice (docs/premiums.md, Payments): the one way money
 * reaches an invoice, whether staff record it by hand or a payment provider reports it. In one
 * transaction, under the invoice's row lock, so two payments of one invoice at once are applied
 * one after the other: the part of a payment the invoice still owed is applied, the rest is kept
 * on the payment as a credit on the policy (`credit_minor`), and an invoice owed nothing more is
 * `paid`. A payment of a provider already recorded (same provider and payment ID) is answered
 * again and changes nothing. An invoice it makes `paid` is told to the subscription's run (the
 * `premiumPaid` signal, written to the outbox in the same transaction: never lost, delivered by
 * the caller at once or by the relay), which reads its invoices again: a repeated signal changes
 * nothing. The payment is posted to the books with it (docs/ledger.md, What posts).
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { premiumPaidSignal, subscriptionRun } from '../../contracts/subscription';
import { Invoice, OutboxMessage, PremiumPayment, Subscription } from '../../models';
import { UNPAID_INVOICE_STATUSES, type PaymentMethod } from '../../models/invoice';
import { premiumAmountReceived, premiumPaymentsReceived } from '../../observability/business-metrics';
import { formatMinorUnits, toMinorUnits } from '../../shared/money';
import { utcDay } from '../../shared/time';
import { cardMinimumMinor } from '../../shared/card-minimum';
import { creditToErasedPolicyholder, unprocessable } from '../../shared/errors';
import { recordAudit, type AuditSource } from '../audit/record';
import { localTime, timeZoneOf } from '../calendars/local-time';
import { isErased } from '../privacy/erasure';
import { termCancellationRefunded } from './credit-refunds';
import { recordPaymentReceived } from './ledger-postings';
import { recordInvoiceEvent } from './webhook-events';

export interface PaymentReceived {
  /** Set when the request named itself (its Idempotency-Key): a payment of that ID already recorded is answered again. */
  id?: string;
  tenantId: string;
  invoiceId: string;
  amountMinor: number;
  method: PaymentMethod;
  reference?: string | null;
  /** Set by a payment provider's integration: the same provider payment is recorded once. */
  provider?: string | null;
  providerPaymentId?: string | null;
  receivedAt: Date;
  recordedById?: string | null;
  /**
   * Set for a payment staff record by hand without marking it credit: an amount beyond what the
   * invoice still owes is refused (422) and nothing is recorded. A provider's payment is money
   * already received: its excess is always kept as credit.
   */
  refuseExcess?: boolean;
  /**
   * Set for a payment staff record by hand, whose day they type: one received before its policy was
   * applied for is refused (422) and nothing is recorded, as is one keeping more than a term's premium as credit
   * (`beyondCreditLimit`), or one keeping credit for a policyholder whose erasure was accepted (409
   * `policyholder_erased`, `lockedPolicyholder`). A provider's payment is dated when its event arrives, and is what
   * the card was charged.
   */
  byHand?: boolean;
}

export interface AppliedPayment {
  payment: PremiumPayment;
  invoice: Invoice;
  /** False when this provider payment had been recorded before: nothing changed now. */
  applied: boolean;
  /** The signal to the subscription's run, when this payment settled the invoice; deliver it after the commit. */
  runSignal?: OutboxMessage;
}

/** What the payments of the invoice `invoiceId` (as the statement names it) applied to it, in SQL: each less the credit it left. */
const appliedToSql = (invoiceId: string) =>
  `(SELECT coalesce(sum(amount_minor - credit_minor), 0) FROM premium_payments WHERE invoice_id = ${invoiceId})`;

/**
 * Minor units still owed on the invoice: its amount less what earlier payments applied to it (none for an
 * invoice no longer unpaid). What a payment applies, and what the card is asked for (POST /invoices/:id/payment-intent).
 */
export async function owedOn(sequelize: Sequelize, invoice: Invoice, transaction?: Transaction): Promise<number> {
  if (!UNPAID_INVOICE_STATUSES.includes(invoice.status)) return 0;
  const [{ applied }] = await sequelize.query<{ applied: number }>(`SELECT ${appliedToSql(':id')}::float8 AS applied`, {
    type: QueryTypes.SELECT,
    transaction,
    replacements: { id: invoice.id },
  });
  return Math.max(invoice.amountMinor - applied, 0);
}

/**
 * Minor units the policy's unpaid invoices of every term still owe, each as `owedOn` counts it: what its holder is
 * told they owe when it is cancelled (after a paid claim its term's unpaid instalments stay owed, ./refunds.ts).
 */
export async function owedOnPolicy(sequelize: Sequelize, tenantId: string, subscriptionId: string): Promise<number> {
  const [{ owed }] = await sequelize.query<{ owed: number }>(
    `SELECT coalesce(sum(greatest(i.amount_minor - ${appliedToSql('i.id')}, 0)), 0)::float8 AS owed
       FROM invoices i WHERE i.tenant_id = :tenantId AND i.subscription_id = :subscriptionId AND i.status IN (:unpaid)`,
    { type: QueryTypes.SELECT, replacements: { tenantId, subscriptionId, unpaid: UNPAID_INVOICE_STATUSES } },
  );
  return owed;
}

/**
 * A payment by hand beyond what its invoice still owes (checked under the invoice's lock, so of two
 * recorded at once the second sees what the first applied): most often the same money recorded
 * twice, or a typing slip. Staff who did receive more mark the excess as credit.
 */
function beyondOutstanding(invoice: Invoice, owedMinor: number, amountMinor: number) {
  const money = (minor: number) => `${formatMinorUnits(minor, invoice.currency)} ${invoice.currency}`;
  const owes = owedMinor > 0 ? `owes ${money(owedMinor)}` : `owes nothing (${invoice.status})`;
  return unprocessable(`Invoice ${invoice.number} ${owes}: a payment of ${money(amountMinor)} goes beyond it`, [
    {
      field: 'amount',
      rule: 'payment_beyond_outstanding',
      message: `at most ${money(owedMinor)}, what the invoice still owes, unless excessAsCredit is true (the excess kept as credit on the policy)`,
    },
  ]);
}

/**
 * Refuses (422) a payment by hand that leaves its invoice owing less than the smallest card payment of its currency
 * (docs/premiums.md, No residue below a card payment): no card could pay the rest, so the card retry could not collect
 * it and the policy lapsed over a few cents. As with a credit, the rest is neither written off (premium owed, lost) nor
 * moved to the next instalment (a term may have none; an invoice would grow unbilled): staff record the whole, or a
 * part leaving at least that minimum, which the holder's card can pay.
 */
function refuseResidueBelowCard(invoice: Invoice, owedMinor: number, amountMinor: number): void {
  const residue = owedMinor - amountMinor;
  const minimum = cardMinimumMinor(invoice.currency);
  if (residue <= 0 || residue >= minimum) return;
  const money = (minor: number) => `${formatMinorUnits(minor, invoice.currency)} ${invoice.currency}`;
  const part = owedMinor - minimum > 0 ? ` or at most ${money(owedMinor - minimum)}` : '';
  throw unprocessable(
    `Invoice ${invoice.number} owes ${money(owedMinor)}: a payment of ${money(amountMinor)} would leave ${money(residue)}, less than the smallest card payment (${money(minimum)}), which no card could pay`,
    [
      {
        field: 'amount',
        rule: 'residue_below_card_minimum',
        message: `the whole ${money(owedMinor)}${part}, leaving at least ${money(minimum)}`,
      },
    ],
  );
}

/**
 * A payment by hand keeping more than a term's premium of its policy as credit (beyond what the invoice still
 * owes): no policyholder pays ahead more than a term, so it is a typing slip (9999999999999.99 on an 8.37
 * instalment was recorded, and ten such took the books' sums past what a JS number holds exactly). Staff
 * record a larger sum received as several payments on the invoices it is for.
 */
function beyondCreditLimit(invoice: Invoice, owedMinor: number, premiumMinor: number, amountMinor: number) {
  const money = (minor: number) => `${formatMinorUnits(minor, invoice.currency)} ${invoice.currency}`;
  const most = `at most ${money(owedMinor + premiumMinor)}`;
  return unprocessable(`Invoice ${invoice.number}: a payment of ${money(amountMinor)} by hand is ${most}`, [
    {
      field: 'amount',
      rule: 'payment_beyond_credit_limit',
      message: `${most}: what the invoice still owes (${money(owedMinor)}) and at most a term's premium (${money(premiumMinor)}) kept as credit`,
    },
  ]);
}

/**
 * The first day money for the invoice's policy can have arrived: the day it was applied for (its row
 * made), as the tenant's calendar or UTC reads it (staff type a day either way), or the day its cover
 * began if earlier (a policy brought over from another system). Not the invoice's day: a term's
 * instalments are issued when the term begins (docs/premiums.md, Invoices), and a policyholder may
 * pay an instalment, or the next term, before its invoice is raised.
 */
async function firstDayOfPayments(invoice: Invoice, policy: Subscription): Promise<{ day: string; why: string }> {
  const applied = policy.createdAt;
  const appliedDay = [utcDay(applied), localTime(applied, await timeZoneOf(invoice.tenantId))!.slice(0, 10)].sort()[0];
  return policy.startDate && policy.startDate < appliedDay
    ? { day: policy.startDate, why: `the day policy ${policy.policyNumber} began` }
    : { day: appliedDay, why: `the day policy ${policy.policyNumber} was applied for` };
}

/**
 * A payment by hand dated before its policy existed is a mistyped day (a year, a month): it would put
 * cash in the books before any premium was written, and its month ahead of every month finance closes.
 */
async function assertReceivedSincePolicy(invoice: Invoice, policy: Subscription, receivedAt: Date): Promise<void> {
  const { day, why } = await firstDayOfPayments(invoice, policy);
  if (utcDay(receivedAt) < day)
    throw unprocessable('A premium is received after its policy was applied for', [
      { field: 'receivedAt', rule: 'received_before_policy', message: `not before ${day}, ${why}` },
    ]);
}

/**
 * The invoice's policyholder, their users row locked FOR SHARE before the invoice's: an erasure's request locks it
 * for update before it counts what the insurer owes them (`moneyOwedTo`), so a credit recorded by hand and an erasure
 * never pass each other. One sees the other: the erasure waits for the credit (409 `money_owed`), or the credit is
 * refused (`isErased` below).
 */
async function lockedPolicyholder(sequelize: Sequelize, received: PaymentReceived, transaction: Transaction): Promise<string> {
  const [{ policyholderId }] = await sequelize.query<{ policyholderId: string }>(
    `SELECT u.id AS "policyholderId"
       FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN users u ON u.id = s.policyholder_id
      WHERE i.id = :invoiceId AND i.tenant_id = :tenantId
        FOR SHARE OF u`,
    { replacements: { invoiceId: received.invoiceId, tenantId: received.tenantId }, type: QueryTypes.SELECT, transaction },
  );
  return policyholderId;
}

/**
 * Tells the subscription's run that an invoice was paid (through the outbox, delivered after the
 * commit): the run then reads the invoices again, so the signal carries nothing it trusts.
 */
export function enqueuePremiumPaid(subscriptionId: string, invoiceId: string, transaction?: Transaction): Promise<OutboxMessage> {
  return OutboxMessage.create(
    {
      kind: 'signal',
      workflowId: subscriptionRun.id(subscriptionId),
      payload: { signalName: premiumPaidSignal.name, args: [{ invoiceId }] },
    },
    { transaction },
  );
}

/**
 * Applies the payment. The caller has found the invoice in the payment's tenant (a row of another
 * tenant is not found here either) and checked the amount fits the invoice's currency. A caller
 * with its own transaction (a provider's event, recorded with its outcome) passes it: the payment
 * commits with it or not at all.
 */
export async function applyPayment(
  sequelize: Sequelize,
  received: PaymentReceived,
  source: AuditSource,
  within?: Transaction,
): Promise<AppliedPayment> {
  const apply = async (transaction: Transaction): Promise<AppliedPayment> => {
    const policyholderId = received.byHand ? await lockedPolicyholder(sequelize, received, transaction) : null;
    const invoice = await Invoice.findOne({
      where: { id: received.invoiceId, tenantId: received.tenantId },
      lock: transaction.LOCK.UPDATE,
      transaction,
      rejectOnEmpty: true,
    });
    // A repeat of a request whose first answer was lost (the API stopped after the commit).
    const repeated = received.id ? await PremiumPayment.findByPk(received.id, { transaction }) : null;
    if (repeated) return { payment: repeated, invoice, applied: false };
    if (received.provider && received.providerPaymentId) {
      const known = await PremiumPayment.findOne({
        where: { provider: received.provider, providerPaymentId: received.providerPaymentId },
        transaction,
      });
      if (known) return { payment: known, invoice, applied: false };
    }
    const policy = received.byHand ? await Subscription.findByPk(invoice.subscriptionId, { transaction, rejectOnEmpty: true }) : null;
    if (policy) await assertReceivedSincePolicy(invoice, policy, received.receivedAt);
    const owed = await owedOn(sequelize, invoice, transaction);
    // Under the invoice's lock, which the cancellation's refund takes to count the term's payments: seen refunded,
    // the refund did not count this one, whose credit a credit refund gives back (./credit-refunds.ts).
    const afterCancellation = await termCancellationRefunded(invoice.subscriptionId, invoice.term, transaction);
    if (received.refuseExcess && received.amountMinor > owed) throw beyondOutstanding(invoice, owed, received.amountMinor);
    const premiumMinor = policy && (toMinorUnits(policy.premium, invoice.currency) ?? 0);
    if (premiumMinor !== null && received.amountMinor > owed + premiumMinor)
      throw beyondCreditLimit(invoice, owed, premiumMinor, received.amountMinor);
    if (received.byHand) refuseResidueBelowCard(invoice, owed, received.amountMinor);
    const creditMinor = Math.max(received.amountMinor - owed, 0);
    // Credit is owed to the person, and an erased one can no longer be reached or paid (docs/privacy.md).
    if (policyholderId && creditMinor > 0 && (await isErased(received.tenantId, policyholderId, transaction)))
      throw creditToErasedPolicyholder();
    // Dated when the money arrived, with its entry: a payment dated in a closed month is refused (409) and nothing is recorded.
    const payment = await recordPaymentReceived(
      {
        id: received.id ?? crypto.randomUUID(),
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        amountMinor: received.amountMinor,
        creditMinor,
        currency: invoice.currency,
        method: received.method,
        reference: received.reference ?? null,
        provider: received.provider ?? null,
        providerPaymentId: received.providerPaymentId ?? null,
        receivedAt: received.receivedAt,
        recordedById: received.recordedById ?? null,
        afterCancellation,
      },
      invoice,
      transaction,
    );
    const before = invoice.toJSON();
    let runSignal: OutboxMessage | undefined;
    if (owed > 0 && received.amountMinor >= owed) {
      await invoice.update({ status: 'paid', paidAt: received.receivedAt }, { transaction });
      runSignal = await enqueuePremiumPaid(invoice.subscriptionId, invoice.id, transaction);
      await recordInvoiceEvent(
        {
          tenantId: invoice.tenantId,
          invoiceId: invoice.id,
          subscriptionId: invoice.subscriptionId,
          amountMinor: invoice.amountMinor,
          currency: invoice.currency,
        },
        {
          type: 'invoice.paid',
          data: { paymentId: payment.id, method: payment.method, paidAt: received.receivedAt.toISOString() },
          time: received.receivedAt,
          dedupeKey: `invoice:${invoice.id}:paid:${payment.id}`,
        },
        transaction,
      );
    }
    await recordAudit(
      source,
      {
        tenantId: invoice.tenantId,
        action: 'invoice.payment',
        entityType: 'invoice',
        entityId: invoice.id,
        before: { status: before.status },
        after: { status: invoice.status, paymentId: payment.id, amountMinor: payment.amountMinor, creditMinor, method: payment.method },
      },
      transaction,
    );
    transaction.afterCommit(() => {
      premiumPaymentsReceived.inc({ method: payment.method });
      premiumAmountReceived.inc({ currency: payment.currency }, payment.amountMinor);
    });
    return { payment, invoice, applied: true, ...(runSignal && { runSignal }) };
  };
  return within ? apply(within) : sequelize.transaction(apply);
}
