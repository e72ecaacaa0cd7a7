import Joi from 'joi';
import { INVOICE_STATUSES, PAYMENT_METHODS, REFUND_STATUSES } from '../../models/invoice';
import { childIdParams, ONE_LINE_PATTERN, tenantRowSchema, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { isoDate, moneyInput, object, oneOf, required } from '../../shared/typed-schema';

/** What `q` matches: the start of an invoice number or of a policy number, any case. */
const numberSearch = Joi.string()
  .trim()
  .uppercase()
  .min(3)
  .max(20)
  // A number's start is its prefix (POL, INV-) or reaches a digit: a word that is neither ("null") is no number's start.
  .pattern(/^(?:(?:POL|INV)-?|[A-Z-]*[0-9][A-Z0-9-]*)$/, 'invoice or policy number')
  .description('The start of an invoice number (INV-2026-000042) or of a policy number (POL-2026-000007)');

export const listInvoicesQuery = object({
  ...pageQueryKeys,
  status: oneOf(INVOICE_STATUSES),
  overdue: Joi.boolean().description('true: unpaid and past its due date (open past due, or overdue); false: the others'),
  // Checked here as a date, so an impossible one is a 400, not PostgreSQL's error (a 500).
  dueBefore: isoDate().description('Due strictly before this day (YYYY-MM-DD) or instant'),
  q: numberSearch,
  ordering: orderingParam(['dueDate', 'number', 'createdAt'], 'dueDate'),
});

export const subscriptionInvoicesQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['dueDate', 'number', 'createdAt'], 'dueDate'),
});

/**
 * A decimal amount as text, kept so to the command: the most decimals any currency has here, the
 * invoice's currency deciding how many it may have, and 0 refused there too (422). Never a
 * number: it never took one.
 */
const amount = moneyInput({ decimals: 3, integerDigits: 15, zero: true, text: true }).description(
  "A decimal amount in the invoice's currency, e.g. 83.37 (JPY none, KWD and BHD up to 3 decimals)",
);

/** A payment's or a refund's reference as the bank or the cheque has it: one line of printable text. */
const reference = Joi.string().trim().max(200).pattern(ONE_LINE_PATTERN, 'one line of printable text');

export const manualPaymentBody = object({
  amount: required(amount),
  method: required(oneOf(PAYMENT_METHODS)),
  reference: reference.description('The bank transfer reference, cheque number, …'),
  // From 2000 on, as a recovery's day and the finance report: a year-1 payment would be posted before any month the books close.
  receivedAt: isoDate()
    .min('2000-01-01')
    .max('now')
    .description(
      'When the money arrived, from 2000 on and not in the future; now unless given. Not before the day the policy was applied for (422 naming that day)',
    ),
  excessAsCredit: Joi.boolean().description(
    'true: an amount beyond what the invoice still owes is recorded, the excess as credit on the policy; otherwise such an amount is 422 and nothing is recorded',
  ),
}).label('ManualPayment');

export const refundPaidParams = childIdParams('refundId');

export const creditRefundParams = childIdParams('paymentId');

/** Nothing to say: the refund is the payment's credit left, whole. */
export const creditRefundBody = object({}).label('CreditRefund');

export const refundPaidBody = object({
  paidAt: isoDate()
    .max('now')
    .description('When the money left; now unless given. Not in the future, nor before the refund was recorded (422)'),
  method: required(oneOf(PAYMENT_METHODS)),
  reference: required(reference.min(1).description('The bank transfer reference or cheque number the refund was paid back under')),
}).label('RefundPaid');

const money = {
  amountMinor: Joi.number().integer().description('Integer minor units of the currency (cents, yen, fils)'),
  amount: Joi.string().description('The same amount as a decimal string in the currency'),
  currency: Joi.string().description('ISO 4217'),
};

export const invoiceSchema = tenantRowSchema('Invoice', {
  subscriptionId: uuid,
  policyholderId: uuid,
  number: Joi.string().description('INV-<year>-<6 digits>, unique in the tenant'),
  term: Joi.number().integer().description("The subscription's renewal count when the term was billed: 0 for the first"),
  sequence: Joi.number().integer(),
  ...money,
  dueDate: Joi.string().description('YYYY-MM-DD'),
  status: oneOf(INVOICE_STATUSES),
  paidAt: Joi.date().allow(null),
});

export const paymentSchema = tenantRowSchema('PremiumPayment', {
  invoiceId: uuid,
  ...money,
  creditMinor: Joi.number().integer().description('The part beyond what the invoice still owed: a credit on the policy'),
  method: oneOf(PAYMENT_METHODS),
  reference: Joi.string().allow(null),
  provider: Joi.string().allow(null),
  providerPaymentId: Joi.string().allow(null),
  receivedAt: Joi.date(),
  recordedById: uuid.allow(null),
});

export const refundSchema = tenantRowSchema('PremiumRefund', {
  subscriptionId: uuid,
  invoiceId: uuid,
  paymentId: uuid.allow(null),
  ...money,
  reason: Joi.string(),
  status: oneOf(REFUND_STATUSES),
  provider: Joi.string().allow(null),
  providerRefundId: Joi.string().allow(null),
  dedupeKey: Joi.string(),
  paidAt: Joi.date().allow(null).description('When a refund owed by hand was paid back, as staff recorded it'),
  paidMethod: oneOf(PAYMENT_METHODS).allow(null),
  paidReference: Joi.string().allow(null),
  paidRecordedById: uuid.allow(null),
});

export const invoiceDetailSchema = invoiceSchema
  .keys({ payments: Joi.array().items(paymentSchema), refunds: Joi.array().items(refundSchema) })
  .label('InvoiceDetail');

export const appliedPaymentSchema = Joi.object({ payment: paymentSchema, invoice: invoiceSchema }).label('AppliedPayment');

export const paidRefundSchema = Joi.object({ refund: refundSchema, invoice: invoiceSchema }).label('PaidRefund');

export const invoicePaymentIntentSchema = Joi.object({
  invoiceId: uuid,
  provider: Joi.string().description('The payment provider: stripe'),
  paymentIntentId: Joi.string().description("The provider's PaymentIntent (pi_…), one per invoice"),
  clientSecret: Joi.string()
    .allow(null)
    .description("What the payer's browser confirms the payment with (Stripe.js); secret to the payer, never stored by Insurflow"),
  status: Joi.string().description("The intent's status at the provider"),
  ...money,
}).label('InvoicePaymentIntent');
