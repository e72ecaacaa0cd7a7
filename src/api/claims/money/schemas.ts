import Joi from 'joi';
import { PAYEE_KINDS, PAYMENT_STATUSES } from '../../../contracts/claim-payments';
import { COST_TYPES, RESERVE_CATEGORIES, RESERVE_CHANGE_STATUSES } from '../../../contracts/claim-reserves';
import { RECOVERY_KINDS } from '../../../models/claim-recovery';
import { CLAIM_AMOUNT_INPUT } from '../../../shared/money';
import { isoDate, moneyInput, object, oneOf, required } from '../../../shared/typed-schema';
import { bankAccountKeys, multiLineText, printableText, uuid, childIdParams } from '../../http/common-schemas';

const moneyString = Joi.string().description('decimal amount in the claim’s currency');
const reason = multiLineText(500).min(3);
/** A claim money input more than 0 (docs/api.md, Money). */
const claimAmount = moneyInput(CLAIM_AMOUNT_INPUT);

export const reserveChangeBody = object({
  costType: required(oneOf(COST_TYPES)),
  category: required(oneOf(RESERVE_CATEGORIES)),
  amount: required(moneyInput({ ...CLAIM_AMOUNT_INPUT, zero: true }).description('The reserve the line is to hold; 0 releases it')),
  reason: required(reason.description('Why: kept with the change')),
}).label('ReserveChange');

export const changeParams = childIdParams('changeId');

export const recoveryBody = object({
  kind: required(oneOf(RECOVERY_KINDS)),
  amount: required(claimAmount),
  receivedOn: required(
    isoDate()
      .min('2000-01-01')
      .description("The day the money was received; not in the future, nor before the claim's incident date (422 naming it)"),
  ),
  reference: Joi.string()
    .trim()
    .min(1)
    .max(100)
    .pattern(/^[\x20-\x7e]+$/, 'printable ASCII'),
}).label('Recovery');

const reserveLineSchema = Joi.object({
  costType: Joi.string(),
  category: Joi.string(),
  amount: moneyString,
});

const reserveChangeSchema = Joi.object({
  id: uuid,
  costType: Joi.string(),
  category: Joi.string(),
  amountBefore: moneyString,
  amount: moneyString,
  reason: Joi.string(),
  status: Joi.string().valid(...RESERVE_CHANGE_STATUSES),
  requestedById: uuid.allow(null),
  requestedAt: Joi.alternatives(Joi.date(), Joi.string()),
  decidedById: uuid.allow(null),
  decidedAt: Joi.date().allow(null),
}).label('ReserveChangeRecord');

export const reservesAnswerSchema = Joi.object({ change: reserveChangeSchema, reserves: Joi.array().items(reserveLineSchema) }).label(
  'ReservesAnswer',
);

export const reservesSchema = Joi.object({
  lines: Joi.array().items(reserveLineSchema),
  changes: Joi.array().items(reserveChangeSchema),
}).label('ClaimReserves');

export const recoverySchema = Joi.object({
  id: uuid,
  claimId: uuid,
  kind: Joi.string().valid(...RECOVERY_KINDS),
  amount: moneyString,
  receivedOn: Joi.string(),
  reference: Joi.string().allow(null),
  recordedById: uuid,
  createdAt: Joi.date(),
}).label('ClaimRecovery');

export const recoveriesSchema = Joi.object({ items: Joi.array().items(recoverySchema) }).label('ClaimRecoveries');

export const financialsSchema = Joi.object({
  currency: Joi.string(),
  outstanding: moneyString.description('The reserve still held on the claim’s lines'),
  paid: moneyString,
  recovered: moneyString,
  incurred: moneyString.description('paid + outstanding − recovered'),
  recoveredBeyondPaid: moneyString.description(
    'What the recoveries exceed paid by, after a payment the bank returned (the claim is flagged for review); else 0',
  ),
}).label('ClaimFinancials');

export const paymentBody = object({
  costType: required(oneOf(COST_TYPES)),
  category: required(oneOf(RESERVE_CATEGORIES)),
  amount: required(claimAmount.description('Taken off the reserve line; at most what it holds')),
  currency: Joi.string()
    .pattern(/^[A-Za-z]{3}$/, 'ISO 4217 code')
    .description('When given, the claim’s currency, the one its policy was sold in (anything else is refused)'),
  payee: required(object({ kind: required(oneOf(PAYEE_KINDS)), ...bankAccountKeys })),
  note: printableText(500).description('Why, for the approver and the record'),
}).label('PaymentRequest');

export const paymentParams = childIdParams('paymentId');

export const paymentFailureBody = object({
  reason: required(printableText(200).description('Why the bank returned it (its return reason)')),
}).label('PaymentFailure');

/** The payee as the run decided it; once the claimant is erased, as the payments row keeps it (docs/privacy.md). */
const payeeSchema = Joi.object({
  kind: Joi.string(),
  name: Joi.string().allow(null).description('For an erased claimant, as the payments row keeps it: the pseudonym where it was theirs'),
  iban: Joi.string().allow(null).description('For an erased claimant, as the payments row keeps it'),
  bic: Joi.string().allow(null),
});

const runPaymentSchema = Joi.object({
  id: uuid,
  reference: Joi.string(),
  costType: Joi.string(),
  category: Joi.string(),
  amount: moneyString,
  currency: Joi.string(),
  payee: payeeSchema,
  note: Joi.string().allow(null),
  status: Joi.string().valid(...PAYMENT_STATUSES),
  requestedById: uuid,
  requestedAt: Joi.string(),
  approvedById: uuid.allow(null),
  voidedById: uuid.allow(null),
}).label('ClaimPaymentDecision');

export const paymentAnswerSchema = Joi.object({ payment: runPaymentSchema, reserves: Joi.array().items(reserveLineSchema) }).label(
  'PaymentAnswer',
);

export const paymentSchema = Joi.object({
  id: uuid,
  claimId: uuid,
  kind: Joi.string().valid('partial'),
  status: Joi.string().valid(...PAYMENT_STATUSES),
  costType: Joi.string(),
  category: Joi.string(),
  amount: moneyString,
  currency: Joi.string(),
  reference: Joi.string(),
  payeeKind: Joi.string(),
  payeeName: Joi.string(),
  payeeIban: Joi.string(),
  payeeBic: Joi.string().allow(null),
  note: Joi.string().allow(null),
  requestedById: uuid,
  requestedAt: Joi.date(),
  approvedById: uuid.allow(null),
  approvedAt: Joi.date().allow(null),
  voidedById: uuid.allow(null),
  voidedAt: Joi.date().allow(null),
  issuedAt: Joi.date().allow(null),
  failedAt: Joi.date().allow(null),
  failureReason: Joi.string().allow(null),
  batchId: uuid.allow(null),
  cardRefundStartedAt: Joi.date().allow(null).description('When a card refund of it was started: it is no longer voided'),
  providerRefundId: Joi.string().allow(null).description('Issued by card refund: the payment provider’s refund'),
  refundedPremiumPaymentId: uuid.allow(null).description('Issued by card refund: the premium payment whose charge it refunded'),
  paidAt: Joi.date().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('ClaimPayment');

export const paymentsSchema = Joi.object({ items: Joi.array().items(paymentSchema) }).label('ClaimPayments');
