/**
 * The money of a policy change (docs/premiums.md, Policy changes): the premium delta priced when
 * the change was quoted (`priceChange`, src/domain/subscriptions/changes/pricing.ts), settled in the
 * transaction that applies the change, so a change is billed or credited exactly once.
 *
 * - Additional premium: invoices of the current term, one per instalment the change was priced
 *   in, numbered after the term's own and paid like any invoice. One due before the day the change
 *   is applied (a backdated change) is due that day instead: it must not be overdue at birth.
 * - Return premium: each credit as priced is taken off the term's unpaid instalment due that day
 *   (one credited in full is void, or paid when part of it was paid already), never leaving it owing
 *   less than the smallest card payment of its currency (src/shared/card-minimum.ts); what no unpaid
 *   instalment takes (it was paid meanwhile, or the credit was priced as one amount) is refunded
 *   from the term's payments, the most recent first, as a cancellation's refund is: through the
 *   provider the payment came through (`pending`, its run started through the outbox), else
 *   `owed`, to be paid back by hand; a paid invoice refunded from is `partially_refunded`, or `refunded`
 *   once its refunds cover what was applied to it (`refundStatusOf`). What no payment can give back
 *   (nothing was paid) is taken off the term's other unpaid instalments, the last due first.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { Invoice, PremiumRefund, type Subscription, type SubscriptionChange } from '../../models';
import { insertInvoices, UNPAID_INVOICE_STATUSES, type IssuedInvoice } from '../../models/invoice';
import { postInvoiceCredited, postInvoicesIssued, postRefundsOwed } from './ledger-postings';
import { paymentsLatestFirst, refundableOf, refundFromPayments, refundStatusOf } from './refunds';
import { cardMinimumMinor } from '../../shared/card-minimum';

export const CHANGE_REFUND_REASON = 'Return premium of a policy change';

/** What the change did with money; amounts in minor units of the change's currency. */
export interface ChangeMoney {
  /** The additional premium's invoices. */
  invoices: IssuedInvoice[];
  /** Return premium taken off unpaid instalments, per invoice. */
  credits: Array<{ invoiceId: string; number: string; creditMinor: number }>;
  refunds: PremiumRefund[];
  /** Return premium nothing could take: no payment to refund and no instalment left unpaid in the term. */
  unsettledMinor: number;
}

/** The amounts as priced; a change priced without them is settled as one amount on its effective date. */
const pricedInstalments = (change: SubscriptionChange) =>
  change.instalments.length > 0 ? change.instalments : [{ dueDate: change.effectiveDate, amountMinor: change.premiumDeltaMinor }];

/** Names the refunds of one change: a retried or repeated change never refunds twice. */
const refundKey = (change: SubscriptionChange, paymentId: string) => `${change.subscriptionId}:change:${change.id}:${paymentId}`;

/** Settles the change's premium delta; the caller holds the subscription row's lock and applies the change in `transaction`. */
export async function settleChangePremium(
  sequelize: Sequelize,
  change: SubscriptionChange,
  subscription: Subscription,
  /** The day the change is applied ('YYYY-MM-DD'). */
  today: string,
  transaction: Transaction,
): Promise<ChangeMoney> {
  const settled: ChangeMoney = { invoices: [], credits: [], refunds: [], unsettledMinor: 0 };
  if (change.premiumDeltaMinor > 0) settled.invoices = await billAdditionalPremium(sequelize, change, subscription, today, transaction);
  if (change.premiumDeltaMinor < 0) await returnPremium(change, subscription, settled, transaction);
  await postChangeMoney(sequelize, change, subscription, settled, transaction);
  return settled;
}

/**
 * The change's money in the books (docs/ledger.md, What posts): premium written or returned for
 * the cover from the change's day to the term's end.
 */
async function postChangeMoney(
  sequelize: Sequelize,
  change: SubscriptionChange,
  subscription: Subscription,
  settled: ChangeMoney,
  transaction: Transaction,
): Promise<void> {
  const term = subscription.renewalCount;
  // A subscription changed mid-term has its term's dates.
  const cover = { from: change.effectiveDate, until: String(subscription.endDate) };
  const billed = { tenantId: subscription.tenantId, subscriptionId: subscription.id, currency: change.currency, term };
  await postInvoicesIssued(sequelize, billed, settled.invoices, cover, transaction);
  for (const credited of settled.credits) await postInvoiceCredited(sequelize, change, credited, term, cover, transaction);
  await postRefundsOwed(sequelize, settled.refunds, { term, cover }, transaction);
}

async function billAdditionalPremium(
  sequelize: Sequelize,
  change: SubscriptionChange,
  subscription: Subscription,
  today: string,
  transaction: Transaction,
): Promise<IssuedInvoice[]> {
  const term = subscription.renewalCount;
  const last: number = (await Invoice.max('sequence', { where: { subscriptionId: subscription.id, term }, transaction })) ?? 0;
  const schedule = pricedInstalments(change)
    .filter(({ amountMinor }) => amountMinor > 0)
    .map(({ dueDate, amountMinor }, index) => ({ sequence: last + index + 1, dueDate: dueDate < today ? today : dueDate, amountMinor }));
  if (schedule.length === 0) return [];
  const billed = {
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    policyholderId: subscription.policyholderId,
    currency: change.currency,
    term,
  };
  return insertInvoices(sequelize, billed, schedule, transaction);
}

async function returnPremium(
  change: SubscriptionChange,
  subscription: Subscription,
  settled: ChangeMoney,
  transaction: Transaction,
): Promise<void> {
  const invoices = await Invoice.findAll({
    where: { subscriptionId: subscription.id, term: subscription.renewalCount },
    order: [
      ['dueDate', 'ASC'],
      ['sequence', 'ASC'],
    ],
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  const payments = await paymentsLatestFirst(invoices, transaction);
  const appliedTo = (invoiceId: string) =>
    payments.filter((p) => p.invoiceId === invoiceId).reduce((total, p) => total + p.amountMinor - p.creditMinor, 0);

  /**
   * Takes up to `amountMinor` off what the invoice still owes, leaving it owing nothing or at least the
   * smallest card payment of its currency (a card charge below it is refused); answers what it took.
   */
  const credit = async (invoice: Invoice, amountMinor: number): Promise<number> => {
    const applied = appliedTo(invoice.id);
    const owed = invoice.amountMinor - applied;
    const minimum = cardMinimumMinor(invoice.currency);
    const taken = Math.min(amountMinor, owed);
    // What it cannot take goes on as any credit an instalment cannot take: refunded, or off another instalment.
    const creditMinor = taken < owed && owed - taken < minimum ? owed - minimum : taken;
    if (creditMinor <= 0) return 0;
    // One entry per invoice and change (its source key): a second credit of the same invoice adds to it.
    const earlier = settled.credits.find((credited) => credited.invoiceId === invoice.id);
    if (earlier) earlier.creditMinor += creditMinor;
    else settled.credits.push({ invoiceId: invoice.id, number: invoice.number, creditMinor });
    // An amount is never zero (the column's check): an instalment credited in full is void, or settled by what was paid on it.
    if (creditMinor < invoice.amountMinor - applied)
      await invoice.update({ amountMinor: invoice.amountMinor - creditMinor }, { transaction });
    else if (applied === 0) await invoice.update({ status: 'void' }, { transaction });
    else await invoice.update({ amountMinor: applied, status: 'paid', paidAt: new Date() }, { transaction });
    return creditMinor;
  };
  const unpaid = () => invoices.filter((invoice) => UNPAID_INVOICE_STATUSES.includes(invoice.status));

  // Each credit as priced: taken off the term's unpaid instalment due that day, what it cannot take is refunded.
  let left = 0;
  for (const priced of pricedInstalments(change).filter(({ amountMinor }) => amountMinor < 0)) {
    let owedBack = -priced.amountMinor;
    for (const invoice of unpaid().filter((i) => String(i.dueDate) === priced.dueDate)) owedBack -= await credit(invoice, owedBack);
    left += owedBack;
  }

  const refundable = await refundableOf(payments, transaction);
  const cause = {
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    reason: CHANGE_REFUND_REASON,
    dedupeKeyOf: (paymentId: string) => refundKey(change, paymentId),
  };
  const { refunds, leftMinor } = await refundFromPayments(cause, payments, refundable, left, transaction);
  settled.refunds.push(...refunds);
  // A paid invoice a refund gave premium back from is `partially_refunded` (or `refunded`), counted with its earlier
  // refunds as a cancellation counts this one; an unpaid one refunded from stays owed its rest, and so unpaid.
  for (const invoice of invoices.filter((i) => !UNPAID_INVOICE_STATUSES.includes(i.status) && refunds.some((r) => r.invoiceId === i.id))) {
    const { status } = await refundStatusOf(invoice, transaction);
    if (status) await invoice.update({ status }, { transaction });
  }
  // What no payment could give back (nothing was paid) is owed no more either: taken off the term's other
  // unpaid instalments, the last due first, rather than left owed at the premium before the change.
  let unsettled = leftMinor;
  for (const invoice of unpaid().reverse()) unsettled -= await credit(invoice, unsettled);
  settled.unsettledMinor = unsettled;
}
