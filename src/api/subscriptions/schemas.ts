import Joi from 'joi';
import { SUBSCRIPTION_STATUSES } from '../../contracts/subscription';
import { countryCode, email, multiLineText, oneLineText, tenantRowSchema, uuid } from '../http/common-schemas';
import { POLICY_TYPES } from '../../models/plan';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { searchParam } from '../lists/search';
import { BILLING_FREQUENCIES } from '../../shared/instalments';
import { object, oneOf, required } from '../../shared/typed-schema';

const status = oneOf(SUBSCRIPTION_STATUSES);
const policyType = oneOf(POLICY_TYPES);
const date = Joi.string().description('YYYY-MM-DD').allow(null);

export const propertyAddress = object({
  line1: required(oneLineText(200)),
  line2: oneLineText(200),
  postalCode: required(oneLineText(20)),
  city: required(oneLineText(100)),
  region: oneLineText(100),
  country: required(countryCode.description('ISO 3166-1 alpha-2 code assigned to a country, e.g. DE; upper-cased')),
})
  .description('The postal address of the insured property')
  .label('PropertyAddress');

/** E.164: a plus, the country code and the number, 8 to 16 characters in all, no spaces. */
export const holderPhone = Joi.string()
  .trim()
  .pattern(/^\+[1-9][0-9]{6,14}$/, 'E.164')
  .description("The holder's phone in E.164 form, e.g. +4930123456");

export const createSubscriptionBody = object({
  planId: uuid.description("The plan to subscribe to; with a quoteId, optional and if given the quote's"),
  quoteId: uuid.description(
    "A quote to bind (docs/quotes.md, Binding): the policy is issued at its premium for its risk's sum insured. 404 for a quote you may not see, 409 when it is referred, declined, lapsed, expired or already bound; a policyholder's quote binds only for that policyholder (staff naming another: 422 quote_of_another_holder)",
  ),
  policyholderId: uuid.description('Staff only: the policyholder of your tenant the policy is issued to'),
  newPolicyholder: object({
    fullName: required(oneLineText(200)),
    email: required(email),
  })
    .description('Staff only: a new policyholder; the account is created and mailed a link to set its password (72 hours)')
    .label('NewPolicyholder'),
  holderPhone,
  propertyAddress,
})
  .or('planId', 'quoteId')
  // The OpenAPI document says the `or` too (its generator leaves it out): a body naming neither is a 400.
  .meta({ swagger: { anyOf: [{ required: ['planId'] }, { required: ['quoteId'] }] } })
  .label('CreateSubscription');

export const cancelSubscriptionBody = object({
  reason: multiLineText(500).description('Why the subscription is cancelled: stored and told in the e-mail'),
}).label('CancelSubscription');

export const waiveFirstPremiumBody = object({
  reason: multiLineText(500).description('Why the first premium is waived: kept in the run and its audit trail'),
}).label('WaiveFirstPremium');

export const listSubscriptionsQuery = object({
  ...pageQueryKeys,
  status,
  policyType,
  q: searchParam.description(
    "Matches the policy number, the subscription id, the holder's phone and the policyholder's name and e-mail: partial, case- and accent-insensitive",
  ),
  ordering: orderingParam(['createdAt', 'endDate'], '-createdAt'),
});

export const subscriptionStateSchema = Joi.object({
  subscriptionId: uuid,
  runId: Joi.string(),
  status,
  startDate: date,
  endDate: date,
  renewalCount: Joi.number(),
  renewableFrom: Joi.date().allow(null),
  renewalReminderSent: Joi.boolean(),
  changeInProgress: Joi.string().allow(null),
  scheduledChange: Joi.object({ changeId: uuid, effectiveDate: Joi.string().description('YYYY-MM-DD') })
    .allow(null)
    .label('ScheduledPolicyChange')
    .description('A confirmed policy change the run holds until its effective date'),
  lapsedSince: date.allow(null).description('Since when an unpaid instalment has suspended coverage; null unless lapsed'),
}).label('SubscriptionState');

/** A risk as it was quoted (src/contracts/quote.ts Risk). */
const riskSchema = Joi.object({
  propertyCategory: Joi.string(),
  sumInsured: Joi.string().description("A decimal string in the plan's currency"),
  deductible: Joi.string().description("A decimal string in the plan's currency"),
  postcode: Joi.string(),
  yearBuilt: Joi.number().integer(),
  options: Joi.array().items(Joi.string()),
}).label('QuotedRisk');

const boundQuoteSchema = Joi.object({
  id: uuid,
  requestedById: uuid.allow(null).description('The user who asked for it; null: a visitor'),
  policyholderId: uuid.allow(null).description('The policyholder it was for; null when it named none (docs/quotes.md, Quotes)'),
  ratingVersion: Joi.object({ id: uuid, number: Joi.number().integer(), effectiveFrom: Joi.string().description('YYYY-MM-DD') })
    .allow(null)
    .label('BoundRatingVersion')
    .description('The rating tables that priced it; null: the plan had none and the quote was its fixed premium'),
  risk: riskSchema,
  breakdown: Joi.array()
    .items(
      Joi.object({
        step: Joi.string(),
        label: Joi.string(),
        factor: Joi.string().description('The factor it applied, a decimal string; absent when it added an amount'),
        amount: Joi.string().description("What it added (negative: took off), a decimal string in the plan's currency"),
      }).label('BoundBreakdownLine'),
    )
    .description('Each step of the quoted premium; the amounts add up to it'),
})
  .allow(null)
  .label('BoundQuote')
  .description("The quote the policy was bound from (docs/quotes.md, Binding); null: the plan's fixed terms");

export const subscriptionSchema = tenantRowSchema('Subscription', {
  planId: uuid,
  policyholderId: uuid,
  policyNumber: Joi.string().description('POL-<year>-<6 digits>, unique in the tenant'),
  policyType,
  holderPhone: Joi.string().allow(null).description('E.164'),
  propertyAddress: Joi.object({
    line1: Joi.string(),
    line2: Joi.string(),
    postalCode: Joi.string(),
    city: Joi.string(),
    region: Joi.string(),
    country: Joi.string(),
  })
    .allow(null)
    .label('PropertyAddressRecorded'),
  status,
  coverageAmount: Joi.string().description('decimal with the decimals of `currency`: "250000.00" EUR, "30000000" JPY'),
  premium: Joi.string().description('decimal with the decimals of `currency`: "250.00" EUR, "30000" JPY'),
  durationMonths: Joi.number(),
  billingFrequency: oneOf(BILLING_FREQUENCIES).description('How the premium of a term is invoiced, copied from the plan'),
  currency: Joi.string().description('ISO 4217, copied from the plan'),
  startDate: date,
  endDate: date,
  coverBeganOn: date.description(
    'YYYY-MM-DD: the day its cover began (issued, or its first premium paid or waived); it covers from this day or its start date, whichever is later. Null: not begun',
  ),
  renewalCount: Joi.number(),
  cancelledAt: Joi.date().allow(null),
  cancelledById: uuid.allow(null),
  cancellationReason: Joi.string().allow(null),
  firstPremiumWaivedById: uuid.allow(null).description('The staff member who waived the first premium'),
  firstPremiumWaiverReason: Joi.string().allow(null).description('The reason they gave for the waiver'),
  workflowId: Joi.string(),
  quoteId: uuid.allow(null).description("The quote the policy was bound from; null: the plan's fixed terms"),
  quote: boundQuoteSchema,
  runId: Joi.string().allow(null),
});

/** One subscription with the live state of its run (null once the run has closed, or when it did not answer in time). */
export const subscriptionDetailSchema = subscriptionSchema
  .keys({
    state: subscriptionStateSchema.allow(null),
    stale: Joi.boolean().description('true when the run did not answer within the query deadline: the row is shown as last recorded'),
    version: Joi.object({ number: Joi.number().integer(), effectiveFrom: Joi.string().description('YYYY-MM-DD') })
      .label('VersionInForce')
      .description('Only with ?asOf=: the version whose terms (plan, coverage, premium, property, phone) are shown'),
  })
  .label('SubscriptionDetail');
