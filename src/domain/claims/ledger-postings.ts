/**
 * A claim's money in the books (docs/ledger.md, What posts): one small function per movement, each
 * posting its entry in the caller's transaction, the one that records the movement's row. Amounts
 * are read from the rows as they were written (numeric strings in the claim's currency) and posted
 * in minor units; each entry's source key names the row and the movement, so a retried activity
 * or a repeated request posts once.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ReserveChangeStatus } from '../../contracts/claim-reserves';
import { toMinorUnits } from '../../shared/money';
import { debitCredit, journalEntry, type JournalLine, post, postAll, postReversal, sourceKey, sourceOf } from '../ledger/post';

/** The claim's currency, read in the caller's transaction: its policy's, as the subscription's row records it (./money.ts `currencyOf`). */
export async function claimCurrency(sequelize: Sequelize, claimId: string, transaction: Transaction): Promise<string> {
  const [row] = await sequelize.query<{ currency: string }>(
    `SELECT s.currency FROM claims c JOIN subscriptions s ON s.id = c.subscription_id WHERE c.id = :claimId`,
    { replacements: { claimId }, transaction, type: QueryTypes.SELECT },
  );
  if (!row) throw new Error(`claim ${claimId} has no policy to take its currency from`);
  return row.currency;
}

/** A row's amount in minor units; the API takes no amount with more decimals than its currency has. */
function minorOf(amount: string | number, currency: string): number {
  const minor = toMinorUnits(amount, currency);
  if (minor === null) throw new Error(`A claim amount ${amount} is not an amount in ${currency}`);
  return minor;
}

/** A claim payment's row, as the statement that moved it answers it. */
export interface PaymentMoved {
  tenantId: string;
  claimId: string;
  paymentId: string;
  reference: string;
  amount: string | number;
  currency: string;
}

type PaymentMovement = 'held' | 'issued' | 'cleared' | 'failed' | 'settled';

/** The payment's entry for a movement, dated today (the day the row moved), with the lines of `lines(amount in minor units)`. */
function paymentEntry(payment: PaymentMoved, movement: PaymentMovement, lines: (minor: number) => JournalLine[]) {
  return journalEntry(
    payment,
    sourceOf('claim_payment', payment.paymentId, movement),
    `Claim payment ${payment.reference} ${movement}`,
    lines(minorOf(payment.amount, payment.currency)),
  );
}

function postPayment(
  sequelize: Sequelize,
  payment: PaymentMoved,
  movement: PaymentMovement,
  lines: (minor: number) => JournalLine[],
  transaction: Transaction,
): Promise<boolean> {
  return post(sequelize, paymentEntry(payment, movement, lines), transaction);
}

/** Asked for (or approved as asked): the loss is paid from then on, owed to the payee until it is issued. */
export const postPaymentHeld = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postPayment(sequelize, payment, 'held', (minor) => debitCredit('paid_losses', 'claim_payments_payable', minor), transaction);

/** Voided before it was issued: its hold reversed. */
export const postPaymentVoided = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postReversal(
    sequelize,
    {
      tenantId: payment.tenantId,
      originalKey: sourceKey('claim_payment', payment.paymentId, 'held'),
      sourceKey: sourceKey('claim_payment', payment.paymentId, 'voided'),
      description: `Claim payment ${payment.reference} voided`,
      postedOn: new Date(),
    },
    transaction,
  );

const issuedLines = (minor: number) => debitCredit('claim_payments_payable', 'claim_payments_in_transit', minor);

/** Issued in a payment batch or by card refund: no longer owed, on its way to the payee. */
export const postPaymentIssued = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postPayment(sequelize, payment, 'issued', issuedLines, transaction);

/** A batch's payments issued: an entry each (each is followed on its own to the bank's answer), in one statement. */
export const postPaymentsIssued = (sequelize: Sequelize, payments: readonly PaymentMoved[], transaction: Transaction) =>
  postAll(
    sequelize,
    payments.map((payment) => paymentEntry(payment, 'issued', issuedLines)),
    transaction,
  );

/** Cleared by the bank (or the provider): the money left the bank account. */
export const postPaymentCleared = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postPayment(sequelize, payment, 'cleared', (minor) => debitCredit('claim_payments_in_transit', 'cash', minor), transaction);

/** Returned by the bank after it was issued: nothing is on its way, and the loss is not paid after all. */
export const postPaymentFailed = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postPayment(sequelize, payment, 'failed', (minor) => debitCredit('claim_payments_in_transit', 'paid_losses', minor), transaction);

/** An approved claim's settlement, paid as it is recorded. */
export const postSettlement = (sequelize: Sequelize, payment: PaymentMoved, transaction: Transaction) =>
  postPayment(sequelize, payment, 'settled', (minor) => debitCredit('paid_losses', 'cash', minor), transaction);

/** A reserve change that set its line: from what the line held to what it holds now. */
export interface ReserveLineMoved {
  tenantId: string;
  claimId: string;
  changeId: string;
  status: ReserveChangeStatus;
  costType: string;
  category: string;
  currency: string;
  before: string | number;
  after: string | number;
}

/** The line's move: set up (Dr change in reserves, Cr loss reserves) or, negative, released the other way. */
export const postReserveChange = (sequelize: Sequelize, change: ReserveLineMoved, transaction: Transaction) => {
  const moved = minorOf(change.after, change.currency) - minorOf(change.before, change.currency);
  return post(
    sequelize,
    journalEntry(
      change,
      sourceOf('reserve_change', change.changeId, 'applied'),
      `Reserve ${change.costType}/${change.category} ${change.status}`,
      debitCredit('reserve_movement', 'loss_reserves', moved),
    ),
    transaction,
  );
};

/** Money recovered on a claim, dated the day it was received (a closed month refuses it: 409). */
export interface RecoveryReceived {
  tenantId: string;
  claimId: string;
  recoveryId: string;
  kind: string;
  amount: string | number;
  currency: string;
  receivedOn: string;
}

export const postRecovery = (sequelize: Sequelize, recovery: RecoveryReceived, transaction: Transaction) => {
  const minor = minorOf(recovery.amount, recovery.currency);
  return post(
    sequelize,
    journalEntry(
      recovery,
      sourceOf('recovery', recovery.recoveryId, 'received'),
      `Recovery (${recovery.kind}) received`,
      debitCredit('cash', 'recoveries', minor),
      { postedOn: recovery.receivedOn },
    ),
    transaction,
  );
};
