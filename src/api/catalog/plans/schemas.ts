import Joi from 'joi';
import { money, multiLineText, oneLineText, uuid } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { COVERAGE_LEVELS, POLICY_TYPES } from '../../../models/plan';
import { BILLING_FREQUENCIES } from '../../../shared/instalments';
import { currencyCode } from '../../../shared/tenant-settings';
import { nullable, object, oneOf, requiring } from '../../../shared/typed-schema';

const coverageLevel = oneOf(COVERAGE_LEVELS);
const policyType = oneOf(POLICY_TYPES).description("The kind of insurance; a subscription carries its plan's (home unless given)");
const durationMonths = Joi.number()
  .integer()
  .min(6)
  .max(120)
  .multiple(6)
  .messages({ 'number.multiple': 'durationMonths must be a multiple of 6' });

// Compared with minPremium when both are given, as validated already (declared before it).
const premiumCap = money
  .custom((max: number, helpers) => {
    const { minPremium } = helpers.state.ancestors[0] as { minPremium?: unknown };
    return typeof minPremium === 'number' && max < minPremium ? helpers.error('money.belowMin') : max;
  })
  .messages({ 'money.belowMin': '{{#label}} must be at least minPremium' })
  .description('at least minPremium when both are given');

export const listPlansQuery = object({
  ...pageQueryKeys,
  categoryId: uuid,
  coverageLevel,
  policyType,
  minPremium: money,
  maxPremium: premiumCap,
  /** Tenant admins also see inactive plans when they ask for them. */
  isActive: Joi.boolean(),
  ordering: orderingParam(['premium', 'coverageAmount', 'createdAt'], 'premium'),
});

const planFields = {
  categoryId: uuid,
  name: oneLineText(200),
  description: nullable(multiLineText(5000).allow('')),
  coverageLevel,
  policyType,
  coverageAmount: money,
  premium: money,
  durationMonths,
  billingFrequency: oneOf(BILLING_FREQUENCIES).description('How the premium of a term is cut into instalments; annual unless given'),
  currency: currencyCode.description("ISO 4217 code of the premium's currency; the tenant's default currency unless given"),
  calendarId: nullable(uuid).description(
    "A business calendar of the plan's tenant its claims count business deadlines in; null: the tenant's default calendar",
  ),
  isActive: Joi.boolean(),
};

export const createPlanBody = object(
  requiring(planFields, ['categoryId', 'name', 'coverageLevel', 'coverageAmount', 'premium', 'durationMonths']),
).label('CreatePlan');

export const updatePlanBody = object(planFields).min(1).label('UpdatePlan');

export const planSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  categoryId: uuid,
  name: Joi.string(),
  description: Joi.string().allow(null),
  coverageLevel,
  policyType,
  coverageAmount: Joi.string().description('decimal with the decimals of `currency`: "250000.00" EUR, "30000000" JPY'),
  premium: Joi.string().description('decimal with the decimals of `currency`: "250.00" EUR, "30000" JPY'),
  durationMonths: Joi.number(),
  billingFrequency: oneOf(BILLING_FREQUENCIES),
  currency: Joi.string().description('ISO 4217'),
  calendarId: uuid.allow(null).description("The plan's business calendar; null: the tenant's default"),
  isActive: Joi.boolean(),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
  deletedAt: Joi.date().allow(null).description('soft deletion: always null on rows the API returns'),
}).label('Plan');
