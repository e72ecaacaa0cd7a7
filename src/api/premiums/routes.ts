/** Premium invoices, their payments and refunds (docs/premiums.md). */
import { literal, Op, type WhereOptions } from 'sequelize';
import { findVisible } from '../../access/core';
import { invoiceAccess } from '../../access/invoices';
import { subscriptionAccess } from '../../access/subscriptions';
import { paymentIntentForInvoice } from '../../domain/premiums/card-payments';
import { owedOn } from '../../domain/premiums/payments';
import { Invoice, PremiumPayment, PremiumRefund } from '../../models';
import { overdueInvoiceWhere } from '../../models/invoice';
import { conflict, notFound } from '../../shared/errors';
import { formatMinorUnits } from '../../shared/money';
import { idParams } from '../http/common-schemas';
import { actionRoute, createRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { type AuthUser, type RouteContext, type RouteSpec, tagged } from '../http/route';
import { childListRoute, findRoute, readRoute } from '../http/row-route';
import type { ApiServices } from '../runtime/services';
import { orderFrom, pageSchema, paginate } from '../lists/pagination';
import { recordManualPaymentOperation, recordRefundPaidOperation, refundCreditOperation } from './operations';
import {
  appliedPaymentSchema,
  invoiceDetailSchema,
  invoicePaymentIntentSchema,
  invoiceSchema,
  listInvoicesQuery,
  paidRefundSchema,
  subscriptionInvoicesQuery,
} from './schemas';

/** A row with minor units, shown with its decimal amount beside them. */
function withAmount<Row extends { amountMinor: number; currency: string; toJSON(): object }>(row: Row) {
  return { ...row.toJSON(), amount: formatMinorUnits(row.amountMinor, row.currency) };
}

/** `overdue=true`: unpaid and past its due date; `false`: the others. */
function overdueWhere(overdue: boolean): WhereOptions {
  return overdue ? overdueInvoiceWhere() : { [Op.not]: overdueInvoiceWhere() };
}

/** The invoices whose number, or whose policy's number, starts with `prefix` (already upper case and checked). */
function numberWhere(ctx: RouteContext, prefix: string): WhereOptions {
  const pattern = ctx.services.sequelize.escape(`${prefix}%`);
  return {
    [Op.or]: [
      { number: { [Op.like]: `${prefix}%` } },
      { subscriptionId: { [Op.in]: literal(`(SELECT id FROM subscriptions WHERE policy_number LIKE ${pattern})`) } },
    ],
  };
}

/** The invoice's card payment: the provider's PaymentIntent for it, created once, with its client secret. */
async function cardPaymentOf(caller: AuthUser, id: string, services: ApiServices) {
  const invoice = await findVisible(caller, invoiceAccess, id);
  const { payments, sequelize } = services;
  if (!payments) throw notFound('Payment provider');
  // What is still owed, not the invoice's amount: a partly paid instalment's card pays its rest, not the whole again.
  const owedMinor = await owedOn(sequelize, invoice);
  if (owedMinor === 0) throw conflict(`The invoice is ${invoice.status}: there is nothing to pay`);
  const intent = await paymentIntentForInvoice(
    { invoiceId: invoice.id, tenantId: invoice.tenantId, amountMinor: owedMinor, currency: invoice.currency },
    { sequelize, provider: payments.provider },
  );
  return {
    invoiceId: invoice.id,
    provider: payments.provider.name,
    paymentIntentId: intent.id,
    clientSecret: intent.clientSecret,
    status: intent.status,
    // What the card is charged: what the invoice still owes, rounded up to the provider's step (docs/premiums.md, Amounts at Stripe).
    amountMinor: intent.amountMinor,
    amount: formatMinorUnits(intent.amountMinor, invoice.currency),
    currency: invoice.currency,
  };
}

export function premiumRoutes(): RouteSpec[] {
  return tagged('premiums', [
    readRoute({
      path: '/invoices',
      summary:
        "List premium invoices: all of the tenant's for staff (filter by status, overdue, dueBefore, q: invoice or policy number), a policyholder's own",
      query: listInvoicesQuery,
      schema: pageSchema(invoiceSchema),
      read: async (ctx) => {
        const { status, overdue, dueBefore, q, ...page } = ctx.state.input.query;
        const where = {
          [Op.and]: [
            invoiceAccess.scope(ctx.state.user),
            ...(status ? [{ status }] : []),
            ...(overdue !== undefined ? [overdueWhere(overdue)] : []),
            ...(dueBefore ? [{ dueDate: { [Op.lt]: dueBefore } }] : []),
            ...(q ? [numberWhere(ctx, q)] : []),
          ],
        };
        const result = await paginate(Invoice, page, where);
        return { ...result, items: result.items.map(withAmount) };
      },
    }),
    childListRoute({
      path: '/subscriptions/:id/invoices',
      summary: "A subscription's premium invoices, by due date (those due the same day by term and instalment)",
      access: subscriptionAccess,
      query: subscriptionInvoicesQuery,
      schema: invoiceSchema,
      list: async (subscription, query) => {
        // Two due the same day (a policy change's instalment beside the term's) come in the order they were billed.
        const result = await paginate(
          Invoice,
          query,
          { tenantId: subscription.tenantId, subscriptionId: subscription.id },
          { tieBreak: ['term', 'sequence'] },
        );
        return { ...result, items: result.items.map(withAmount) };
      },
    }),
    findRoute({
      path: '/invoices/:id',
      summary: 'One premium invoice with its payments and refunds',
      access: invoiceAccess,
      schema: invoiceDetailSchema,
      view: async (invoice) => {
        const order = orderFrom('createdAt');
        const [payments, refunds] = await Promise.all([
          PremiumPayment.findAll({ where: { invoiceId: invoice.id, tenantId: invoice.tenantId }, order }),
          PremiumRefund.findAll({ where: { invoiceId: invoice.id, tenantId: invoice.tenantId }, order }),
        ]);
        return { ...withAmount(invoice), payments: payments.map(withAmount), refunds: refunds.map(withAmount) };
      },
    }),
    actionRoute(
      operation({
        name: 'premiums.payByCard',
        params: idParams,
        run: (caller, { id }, _deps, { services }) => cardPaymentOf(caller, id, services),
      }),
      {
        path: '/invoices/:id/payment-intent',
        summary:
          "The invoice's card payment (its holder or staff): the provider's PaymentIntent, created once per invoice, and its client secret for the payer's browser; 409 once the invoice is no longer unpaid, 404 without a payment provider, 503 when it does not answer",
        // One intent per invoice already (payment_intents); a stored replay would keep the client secret, which Insurflow never stores.
        idempotent: false,
        schema: invoicePaymentIntentSchema,
      },
    ),
    createRoute(recordManualPaymentOperation, {
      path: '/invoices/:id/payments',
      summary:
        'Record a premium payment received by hand (tenant admins: whoever handles claims may not make a policy cover): bank transfer, cheque, card at the counter. More than the invoice still owes is recorded whole, the excess as a credit on the policy; 422 for a day before the policy was applied for; Idempotency-Key makes a retry record it once',
      schema: appliedPaymentSchema,
      view: ({ payment, invoice }) => ({ payment: withAmount(payment), invoice: withAmount(invoice) }),
    }),
    actionRoute(recordRefundPaidOperation, {
      path: '/invoices/:id/refunds/:refundId/paid',
      summary:
        'Record a refund owed by hand, or refused by the payment provider, as paid back (staff): when the money left, how and its bank reference. Only an owed or failed refund (409 for one pending at the provider or paid back otherwise; the same pay-back again answers the refund as recorded); 422 for a day before the refund was recorded; 409 ledger_period_closed for a day in a closed month',
      schema: paidRefundSchema,
      view: ({ refund, invoice }) => ({ refund: withAmount(refund), invoice: withAmount(invoice) }),
    }),
    createRoute(refundCreditOperation, {
      path: '/invoices/:id/payments/:paymentId/credit-refund',
      summary:
        "Give back the credit left on one of the invoice's payments (staff): a refund of what it paid beyond the invoice, through the provider it came through or owed to be paid back by hand; 409 no_credit_left when it holds none (given back already, or by the cancellation)",
      schema: paidRefundSchema,
      view: ({ refund, invoice }) => ({ refund: withAmount(refund), invoice: withAmount(invoice) }),
    }),
  ]);
}
