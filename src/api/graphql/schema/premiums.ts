/** Premium invoices with their payments and refunds (docs/premiums.md); the manual payment through the REST route's command. */
import { Invoice as InvoiceModel, PremiumPayment as PaymentModel, PremiumRefund as RefundModel } from '../../../models';
import { INVOICE_STATUSES, PAYMENT_METHODS, REFUND_STATUSES } from '../../../models/invoice';
import { calendarDay } from '../../../shared/typed-schema';
import { recordManualPaymentOperation, recordRefundPaidOperation, refundCreditOperation } from '../../premiums/operations';
import { builder } from '../builder';
import { byIdQuery } from '../by-id';
import { connectionOf, connectionType, paged, type PageOrder } from '../connection';
import { minorUnitsField, relationField } from '../fields';
import { mutationOf, reloadThrough, rowMutationArgs } from '../mutation';
import { Subscription } from './subscriptions';

const InvoiceStatusEnum = builder.enumType('InvoiceStatus', { values: INVOICE_STATUSES });
const PaymentMethodEnum = builder.enumType('PaymentMethod', { values: PAYMENT_METHODS });
const RefundStatusEnum = builder.enumType('RefundStatus', { values: REFUND_STATUSES });

const PremiumPayment = builder.objectRef<PaymentModel>('PremiumPayment').implement({
  description: 'A premium payment received against an invoice',
  fields: (t) => ({
    id: t.exposeID('id'),
    amount: minorUnitsField(t, (row) => row.amountMinor),
    credit: minorUnitsField(t, (row) => row.creditMinor, 'The part beyond what the invoice still owed: a credit on the policy'),
    currency: t.exposeString('currency'),
    method: t.expose('method', { type: PaymentMethodEnum }),
    reference: t.exposeString('reference', { nullable: true }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
  }),
});

const PremiumRefund = builder.objectRef<RefundModel>('PremiumRefund').implement({
  description: 'A refund owed or made on an invoice',
  fields: (t) => ({
    id: t.exposeID('id'),
    amount: minorUnitsField(t, (row) => row.amountMinor),
    currency: t.exposeString('currency'),
    reason: t.exposeString('reason'),
    status: t.expose('status', { type: RefundStatusEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    paidAt: t.expose('paidAt', { type: 'DateTime', nullable: true, description: 'When a refund owed by hand was paid back' }),
    paidMethod: t.expose('paidMethod', { type: PaymentMethodEnum, nullable: true }),
    paidReference: t.exposeString('paidReference', { nullable: true }),
  }),
});

export const Invoice = builder.objectRef<InvoiceModel>('Invoice').implement({
  description: "One instalment of a policy's premium",
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    term: t.exposeInt('term'),
    sequence: t.exposeInt('sequence'),
    amount: minorUnitsField(t, (row) => row.amountMinor),
    currency: t.exposeString('currency'),
    dueDate: t.exposeString('dueDate'),
    status: t.expose('status', { type: InvoiceStatusEnum }),
    paidAt: t.expose('paidAt', { type: 'DateTime', nullable: true }),
    subscription: relationField(t, Subscription, 'subscription', (row) => row.subscriptionId),
    payments: t.field({
      type: [PremiumPayment],
      resolve: (row) => PaymentModel.findAll({ where: { invoiceId: row.id, tenantId: row.tenantId }, order: [['createdAt', 'ASC']] }),
    }),
    refunds: t.field({
      type: [PremiumRefund],
      resolve: (row) => RefundModel.findAll({ where: { invoiceId: row.id, tenantId: row.tenantId }, order: [['createdAt', 'ASC']] }),
    }),
  }),
});

const InvoiceConnection = connectionType('Invoice', Invoice);
// A day in the calendar: a cursor's 2026-02-30 or year 0000 reached PostgreSQL, which failed with 500.
const BY_DUE_DATE: PageOrder = { attribute: 'dueDate', descending: false, value: calendarDay };

builder.objectField(Subscription, 'invoices', (t) =>
  t.field({
    type: InvoiceConnection,
    description: "The subscription's premium invoices, by due date",
    ...paged(),
    // The subscription is visible to the caller (it was reached through the access policy).
    resolve: (row, { first, after }) =>
      connectionOf(InvoiceModel, { tenantId: row.tenantId, subscriptionId: row.id }, { first, after }, BY_DUE_DATE),
  }),
);

byIdQuery('invoice', Invoice, {
  description: 'One premium invoice; null when it does not exist or is not yours to see',
  loader: (loaders) => loaders.invoice,
});

const reloadInvoice = reloadThrough('invoice');

builder.mutationFields((t) => ({
  recordManualPayment: t.field({
    type: Invoice,
    description:
      'Record a premium payment received by hand (tenant admins); the same command as POST /invoices/:id/payments. Answers the invoice',
    args: rowMutationArgs(t.arg, {
      amount: t.arg.string({ required: true, description: "A decimal amount in the invoice's currency, e.g. 83.37" }),
      method: t.arg({ type: PaymentMethodEnum, required: true }),
      reference: t.arg.string(),
      receivedAt: t.arg.string({ description: 'ISO 8601; now unless given; not before the day the policy was applied for' }),
      excessAsCredit: t.arg.boolean({
        description: 'true: an amount beyond what the invoice still owes is recorded, the excess as credit; otherwise refused',
      }),
    }),
    ...mutationOf(recordManualPaymentOperation, { row: (applied) => applied.invoice, reload: reloadInvoice }),
  }),
  recordRefundPaid: t.field({
    type: Invoice,
    description:
      'Record a refund owed by hand, or refused by the payment provider, as paid back (staff); the same command as POST /invoices/:id/refunds/:refundId/paid. Answers the invoice',
    args: rowMutationArgs(t.arg, {
      refundId: t.arg.id({ required: true }),
      method: t.arg({ type: PaymentMethodEnum, required: true }),
      reference: t.arg.string({ required: true, description: 'The bank transfer reference or cheque number' }),
      paidAt: t.arg.string({ description: 'ISO 8601; now unless given' }),
    }),
    ...mutationOf(recordRefundPaidOperation, { row: (paid) => paid.invoice, reload: reloadInvoice }),
  }),
  refundCredit: t.field({
    type: Invoice,
    description:
      "Give back the credit left on one of the invoice's payments (staff); the same command as POST /invoices/:id/payments/:paymentId/credit-refund. Answers the invoice",
    args: rowMutationArgs(t.arg, { paymentId: t.arg.id({ required: true }) }),
    ...mutationOf(refundCreditOperation, { row: (given) => given.invoice, reload: reloadInvoice }),
  }),
}));
