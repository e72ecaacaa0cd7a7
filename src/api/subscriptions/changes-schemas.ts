/** The input and answers of policy changes and versions (docs/subscriptions.md, Policy changes). */
import Joi from 'joi';
import { SUBSCRIPTION_CHANGE_STATUSES } from '../../models/subscription-change';
import { uuid, childIdParams, tenantRowSchema } from '../http/common-schemas';
import { calendarDay, object, oneOf, required } from '../../shared/typed-schema';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { holderPhone, propertyAddress } from './schemas';

export const changeParams = childIdParams('changeId');

export const quoteChangeBody = object({
  effectiveDate: required(
    calendarDay.description(
      "The day the change takes effect (YYYY-MM-DD): inside the current term, at most policyChangeBackdateDays (tenant setting, default 30) in the past (a raise of cover: not before today), not before the latest version's",
    ),
  ),
  planId: uuid.description(
    'An active plan of the same category, duration, currency and billing frequency: its coverage and premium become the policy’s. A plan whose rating tables refer the policy’s risk to an underwriter is 422 naming each reason, at the quote and at the confirmation: ask for a quote on that plan instead',
  ),
  propertyAddress,
  holderPhone,
})
  .or('planId', 'propertyAddress', 'holderPhone')
  // The OpenAPI document says the `or` too (its generator leaves it out): a body naming none of them is a 400.
  .meta({ swagger: { anyOf: [{ required: ['planId'] }, { required: ['propertyAddress'] }, { required: ['holderPhone'] }] } })
  .label('QuotePolicyChange');

/** A page of a policy's changes, as every list pages (docs/api.md): newest first unless asked otherwise. */
export const changesQuery = object({ ...pageQueryKeys, ordering: orderingParam(['createdAt'], '-createdAt') });

/** A page of a policy's versions: oldest first unless asked otherwise. */
export const versionsQuery = object({ ...pageQueryKeys, ordering: orderingParam(['number'], 'number') });

export const asOfQuery = object({
  asOf: calendarDay.description(
    'The policy as of this day: the terms of the version in force then (404 before the first day of the policy or after the last day of its term)',
  ),
});

const decimal = (description: string) => Joi.string().description(`${description}: a decimal string in the policy's currency`);

export const changeSchema = tenantRowSchema('PolicyChange', {
  subscriptionId: uuid,
  status: oneOf(SUBSCRIPTION_CHANGE_STATUSES).description(
    'quoted → scheduled (confirmed, waiting for its date) → applied; or withdrawn; or not_applied (on its date it no longer fitted the policy: notAppliedReason)',
  ),
  term: Joi.number().integer().description('The renewal count of the term it was priced for'),
  effectiveDate: Joi.string().description('YYYY-MM-DD'),
  requested: Joi.object({ planId: uuid, propertyAddress: Joi.object().unknown(true), holderPhone: Joi.string() }).label('RequestedChange'),
  premiumBefore: decimal('The premium of the term before the change'),
  premiumAfter: decimal('The premium of the term after it'),
  coverageAfter: decimal('The sum insured a change of plan was quoted with, which it applies (null: a change of the contact only)').allow(
    null,
  ),
  premiumDelta: decimal('Pro rata for the rest of the term: positive is additional premium, negative a return premium'),
  currency: Joi.string().description('ISO 4217'),
  instalments: Joi.array()
    .items(
      Joi.object({ dueDate: Joi.string().description('YYYY-MM-DD'), amount: decimal('Billed (positive) or credited (negative)') }).label(
        'ChangeInstalment',
      ),
    )
    .description('How the delta is billed or credited (tenant setting policyChangeBilling); none for a change that costs nothing'),
  requestedById: uuid,
  confirmedById: uuid.allow(null),
  confirmedAt: Joi.date().allow(null),
  appliedAt: Joi.date().allow(null),
  withdrawnById: uuid.allow(null),
  withdrawnAt: Joi.date().allow(null),
  notAppliedReason: Joi.string()
    .allow(null)
    .description('Why the run did not carry out the confirmed change on its effective date: the policy had moved on since it was priced'),
  notAppliedAt: Joi.date().allow(null),
});

export const versionSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  subscriptionId: uuid,
  number: Joi.number().integer().description('1 is the policy as issued'),
  effectiveFrom: Joi.string().description('YYYY-MM-DD'),
  planId: uuid,
  coverageAmount: decimal('The sum insured'),
  premium: decimal('The premium of the term'),
  currency: Joi.string(),
  propertyAddress: Joi.object().unknown(true).allow(null),
  holderPhone: Joi.string().allow(null),
  changeId: uuid.allow(null).description('The change that made it; null for version 1'),
  changed: Joi.object().unknown(true).description('What the change moved: { field: { before, after } }'),
  premiumDelta: decimal('What the change billed (positive) or credited (negative)'),
  changedById: uuid.allow(null),
  createdAt: Joi.date(),
}).label('PolicyVersion');
