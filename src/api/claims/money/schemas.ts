import Joi from 'joi';
import { COST_TYPES, RESERVE_CATEGORIES } from '../../../contracts/claim-reserves';
import { RECOVERY_KINDS } from '../../../models/claim-recovery';
import { MAX_CLAIM_AMOUNT } from '../../../shared/money';
import { object, oneOf, required } from '../../../shared/typed-schema';
import { uuid } from '../../http/common-schemas';

const moneyString = Joi.string().description('decimal amount in the claim’s currency');
const reason = Joi.string().trim().min(3).max(500);

export const reserveChangeBody = object({
  costType: required(oneOf(COST_TYPES)),
  category: required(oneOf(RESERVE_CATEGORIES)),
  amount: required(Joi.number().min(0).max(MAX_CLAIM_AMOUNT).description('The reserve the line is to hold; 0 releases it')),
  reason: required(reason.description('Why: kept with the change')),
}).label('ReserveChange');

export const changeParams = object({ id: required(uuid), changeId: required(uuid) });

export const recoveryBody = object({
  kind: required(oneOf(RECOVERY_KINDS)),
  amount: required(Joi.number().positive().max(MAX_CLAIM_AMOUNT)),
  receivedOn: required(Joi.date().iso().min('2000-01-01').description('The day the money was received; not in the future')),
  reference: Joi.string()
    .trim()
    .min(1)
    .max(100)
    .pattern(/^[\x20-\x7e]+$/, 'printable ASCII'),
}).label('Recovery');

const reserveLineSchema = Joi.object({
  costType: Joi.string(),
  category: Joi.string(),
  amount: Joi.alternatives(Joi.number(), moneyString),
});

const reserveChangeSchema = Joi.object({
  id: uuid,
  costType: Joi.string(),
  category: Joi.string(),
  amountBefore: Joi.alternatives(Joi.number(), moneyString),
  amount: Joi.alternatives(Joi.number(), moneyString),
  reason: Joi.string(),
  status: Joi.string().valid('applied', 'pending', 'approved', 'rejected', 'released'),
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
}).label('ClaimFinancials');
