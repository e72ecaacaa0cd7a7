/**
 * The premiums' entries in the books (docs/ledger.md, What posts). Each is posted by the code that
 * records the movement, in its transaction, so the row and its entry commit together or not at
 * all; each is named by its movement, so a retry posts once. Kept balanced per subscription so
 * that, per tenant and currency, `premium_receivable` is what open and overdue invoices still owe
 * (`INVOICE_OWED_SQL`), `refunds_payable` what refunds `owed` or `pending` come to, and
 * `unearned_premium` + `earned_premium` the premium written less the premium returned.
 */
import { DatabaseError, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { Invoice, PremiumPayment, type PremiumRefund } from '../../models';
import { instanceOf } from '../../models/prepared-statement';
import { selectListOf } from '../../models/select-list';
import type { BilledTerm, IssuedInvoice } from '../../models/invoice';
import { credit, debit, debitCredit, journalEntry, post, postAll, postReversal, sourceKey, sourceOf, writeWithEntry } from '../ledger/post';

/** The cover premium written or returned earns over: its first day, and the day after its last (docs/ledger.md). */
export interface Cover {
  from: string;
  until: string;
}

/** Whose books a row's entry is in: its policy's, in the term given (a model's row is read field by field, not spread). */
const inTerm = (row: { tenantId: string; currency: string; subscriptionId: string }, term: number) => ({
  tenantId: row.tenantId,
  currency: row.currency,
  subscriptionId: row.subscriptionId,
  term,
});

/** An invoice issued: premium written, owed by the policyholder until paid. `cover` is the term's, or from a change's day. */
export async function postInvoicesIssued(
  sequelize: Sequelize,
  billed: Pick<BilledTerm, 'tenantId' | 'subscriptionId' | 'currency' | 'term'>,
  invoices: readonly IssuedInvoice[],
  cover: Cover,
  transaction: Transaction,
): Promise<void> {
  await postAll(
    sequelize,
    invoices.map((invoice) =>
      journalEntry(
        billed,
        sourceOf('invoice', invoice.id, 'issued'),
        `Invoice ${invoice.number} issued`,
        debitCredit('premium_receivable', 'unearned_premium', invoice.amountMinor),
        { cover },
      ),
    ),
    transaction,
  );
}

/** A payment's row as `recordPaymentReceived` writes it. */
export type PaymentRow = Pick<
  PremiumPayment,
  | 'id'
  | 'tenantId'
  | 'invoiceId'
  | 'amountMinor'
  | 'creditMinor'
  | 'currency'
  | 'method'
  | 'reference'
  | 'provider'
  | 'providerPaymentId'
  | 'receivedAt'
  | 'recordedById'
  | 'afterCancellation'
>;

/** The payment's row, answered as a find reads it (the select list is the model's, known once it is set up). */
let insertPaymentSql: string | undefined;
const insertPayment = () =>
  (insertPaymentSql ??= `INSERT INTO premium_payments (id, tenant_id, invoice_id, amount_minor, credit_minor, currency, method, reference,
                                provider, provider_payment_id, received_at, recorded_by_id, after_cancellation, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
       RETURNING ${selectListOf(PremiumPayment)}`);

/**
 * A payment recorded and applied to its invoice, and its entry, dated the day the money arrived
 * (what the invoice owed leaves the receivable, the rest is credit), written by one statement: the
 * entry took a round trip of its own after the payment's row (docs/performance.md, Ledger).
 */
export async function recordPaymentReceived(payment: PaymentRow, invoice: Invoice, transaction: Transaction): Promise<PremiumPayment> {
  const [row] = await asUniqueConstraintError(
    writeWithEntry<object>(
      transaction,
      {
        sql: insertPayment(),
        values: [
          payment.id,
          payment.tenantId,
          payment.invoiceId,
          payment.amountMinor,
          payment.creditMinor,
          payment.currency,
          payment.method,
          payment.reference,
          payment.provider,
          payment.providerPaymentId,
          payment.receivedAt.toISOString(),
          payment.recordedById,
          payment.afterCancellation,
          new Date().toISOString(),
        ],
      },
      journalEntry(
        { tenantId: payment.tenantId, currency: payment.currency, subscriptionId: invoice.subscriptionId, term: invoice.term },
        sourceOf('premium_payment', payment.id, 'received'),
        `Payment of invoice ${invoice.number} (${payment.method})`,
        [
          debit('cash', payment.amountMinor),
          credit('premium_receivable', payment.amountMinor - payment.creditMinor),
          credit('policyholder_credit', payment.creditMinor),
        ],
        { postedOn: payment.receivedAt },
      ),
    ),
  );
  return instanceOf(PremiumPayment, row);
}

/**
 * A provider's payment recorded on two invoices at once takes its unique key once: the other is
 * refused as Sequelize's create refused it (UniqueConstraintError, 409), not as a bare database error.
 */
async function asUniqueConstraintError<T>(statement: Promise<T>): Promise<T> {
  try {
    return await statement;
  } catch (err) {
    const parent = err instanceof DatabaseError ? (err.parent as Error & { code?: string; constraint?: string }) : undefined;
    if (parent?.code !== '23505') throw err;
    throw new UniqueConstraintError({ message: parent.message, fields: { [parent.constraint ?? 'id']: null }, parent: parent as never });
  }
}

/**
 * The unpaid rest of an invoice that leaves the unpaid statuses without being paid (a
 * cancellation voids it, or a refund closes a partly paid one): premium returned, no longer owed.
 */
export function postInvoiceVoided(
  sequelize: Sequelize,
  invoice: Invoice,
  owedMinor: number,
  cover: Partial<Cover>,
  transaction: Transaction,
): Promise<boolean> {
  return post(
    sequelize,
    journalEntry(
      invoice,
      sourceOf('invoice', invoice.id, 'voided'),
      `Invoice ${invoice.number}: its unpaid ${invoice.status === 'void' ? 'amount voided' : 'rest written off'}`,
      debitCredit('unearned_premium', 'premium_receivable', owedMinor),
      { cover },
    ),
    transaction,
  );
}

/**
 * A policy change's return premium taken off an unpaid instalment: premium returned, no longer
 * owed. Named by the invoice and the change, since each change may credit the same instalment.
 */
export function postInvoiceCredited(
  sequelize: Sequelize,
  change: { id: string; tenantId: string; subscriptionId: string; currency: string },
  credited: { invoiceId: string; number: string; creditMinor: number },
  term: number,
  cover: Cover,
  transaction: Transaction,
): Promise<boolean> {
  return post(
    sequelize,
    journalEntry(
      inTerm(change, term),
      sourceOf('invoice', credited.invoiceId, `credited:${change.id}`),
      `Invoice ${credited.number}: return premium of a policy change taken off`,
      debitCredit('unearned_premium', 'premium_receivable', credited.creditMinor),
      { cover },
    ),
    transaction,
  );
}

/**
 * A cancelled term's premium earned in full, as a claim of the term was approved or paid (docs/premiums.md,
 * Refunds): what is left unearned of it, in each currency, is earned at the cancellation, an earning the month's
 * close finds done (nothing unearned left). Without it the premium the refund kept stayed unearned and was earned
 * over the rest of the term, as for a policy still in force. Posted after the cancellation's voids, under the
 * subscription's row lock.
 */
export async function postPremiumEarnedInFull(
  sequelize: Sequelize,
  policy: { tenantId: string; subscriptionId: string; currency: string },
  of: { term: number; cover: Cover },
  transaction: Transaction,
): Promise<void> {
  const balances = await sequelize.query<{ currency: string; unearned: string }>(
    `SELECT e.currency, sum(l.credit_minor - l.debit_minor)::text AS unearned
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id AND l.account_code = 'unearned_premium'
      WHERE e.tenant_id = :tenantId AND e.subscription_id = :subscriptionId AND e.term = :term
      GROUP BY e.currency`,
    { type: QueryTypes.SELECT, replacements: { ...policy, term: of.term }, transaction },
  );
  const entries = balances
    .filter(({ unearned }) => Number(unearned) !== 0)
    .map(({ currency, unearned }) =>
      journalEntry(
        { ...policy, currency, term: of.term },
        // A term's premium in a second currency (rare) is named by its currency too, as the month's earnings are.
        sourceOf('earning', policy.subscriptionId, `${of.term}:cancelled${currency === policy.currency ? '' : `:${currency}`}`),
        'Premium earned in full: a claim of the term was approved or paid',
        debitCredit('unearned_premium', 'earned_premium', Number(unearned)),
        { cover: of.cover },
      ),
    );
  await postAll(sequelize, entries, transaction);
}

/**
 * Refunds owed (a cancellation's, a change's return premium, one made at the provider): premium
 * returned, now payable. The first `creditMinor` of them is the policy's credit given back, not
 * premium (a cancellation gives its term's credit back whole).
 */
export async function postRefundsOwed(
  sequelize: Sequelize,
  refunds: readonly PremiumRefund[],
  of: { term: number; cover?: Cover; creditMinor?: number },
  transaction: Transaction,
): Promise<void> {
  let creditLeft = of.creditMinor ?? 0;
  const entries = refunds.map((refund) => {
    const creditMinor = Math.min(creditLeft, refund.amountMinor);
    creditLeft -= creditMinor;
    return journalEntry(
      inTerm(refund, of.term),
      sourceOf('premium_refund', refund.id, 'owed'),
      `Refund owed: ${refund.reason}`,
      [
        debit('unearned_premium', refund.amountMinor - creditMinor),
        debit('policyholder_credit', creditMinor),
        credit('refunds_payable', refund.amountMinor),
      ],
      { cover: of.cover },
    );
  });
  await postAll(sequelize, entries, transaction);
}

/**
 * A refund paid: the provider reports it succeeded, or staff paid an owed one back by hand. The money
 * left the bank today (the provider's), or on `paidOn` (by hand: a day in a closed month is refused).
 */
export async function postRefundPaid(
  sequelize: Sequelize,
  refund: PremiumRefund,
  transaction: Transaction,
  paidOn?: Date,
): Promise<boolean> {
  const { term } = await Invoice.findByPk(refund.invoiceId, { attributes: ['term'], transaction, rejectOnEmpty: true });
  return post(
    sequelize,
    journalEntry(
      inTerm(refund, term),
      sourceOf('premium_refund', refund.id, 'paid'),
      `Refund paid: ${refund.reason}`,
      debitCredit('refunds_payable', 'cash', refund.amountMinor),
      { postedOn: paidOn },
    ),
    transaction,
  );
}

/**
 * A refund the provider refused: no longer payable, and the premium counts as not given back (as
 * `refundableOf` has it), so its owed entry is reversed. Staff pay it back another way
 * (`postRefundOwedAgain`, then its paid entry).
 */
export function postRefundFailed(sequelize: Sequelize, refund: PremiumRefund, transaction: Transaction): Promise<boolean> {
  return postReversal(
    sequelize,
    {
      tenantId: refund.tenantId,
      originalKey: sourceKey('premium_refund', refund.id, 'owed'),
      sourceKey: sourceKey('premium_refund', refund.id, 'failed'),
      description: `Refund refused by the provider: ${refund.reason}`,
      postedOn: new Date(),
    },
    transaction,
  );
}

/**
 * A refund the provider refused, paid back by hand: payable again before it is paid, dated the day
 * it is paid. Its failure reversed its owed entry, so paying it from refunds payable alone would take
 * that account below what is owed: the failure's reversal is reversed in turn (the owed entry's own
 * lines, the policy's credit part included). A refund refused before the books opened, or while
 * posting was off, has no failure entry to reverse: it is owed afresh, unless its owed entry stands.
 */
export async function postRefundOwedAgain(
  sequelize: Sequelize,
  refund: PremiumRefund,
  transaction: Transaction,
  paidOn: Date,
): Promise<void> {
  const owedAgain = await postReversal(
    sequelize,
    {
      tenantId: refund.tenantId,
      originalKey: sourceKey('premium_refund', refund.id, 'failed'),
      sourceKey: sourceKey('premium_refund', refund.id, 'owed_again'),
      description: `Refund owed again, paid back by hand after the provider refused it: ${refund.reason}`,
      postedOn: paidOn,
    },
    transaction,
  );
  if (owedAgain) return;
  const { term } = await Invoice.findByPk(refund.invoiceId, { attributes: ['term'], transaction, rejectOnEmpty: true });
  // Named `owed` as at its recording: posts nothing when that entry stands (or posting is off).
  await postRefundsOwed(sequelize, [refund], { term }, transaction);
}
