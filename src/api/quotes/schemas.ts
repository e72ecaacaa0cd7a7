/**
 * A quote's request and answer (docs/quotes.md, Quotes). The schema checks the risk's shape and
 * bounds (400); whether the plan's rating tables accept its values is the pricer's (422 naming the
 * field). Amounts are decimal strings of at most 3 decimals, the most any currency has: the plan's
 * currency may allow fewer, which the pricer refuses with 422.
 */
import Joi from 'joi';
import { POSTCODE_PATTERN, PROPERTY_CATEGORIES } from '../../contracts/quote';
import { QUOTE_STATUSES } from '../../models/quote';
import { anyCurrencyMoney, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { object, oneOf, required, withDefault } from '../../shared/typed-schema';

/** What a quote's status is answered as: a quoted one past its validity is `expired` (not stored). */
export const ANSWERED_QUOTE_STATUSES = [...QUOTE_STATUSES, 'expired'] as const;
export type AnsweredQuoteStatus = (typeof ANSWERED_QUOTE_STATUSES)[number];

export const riskSchema = object({
  propertyCategory: required(
    Joi.string()
      .max(40)
      .pattern(/^[a-z_]+$/, 'category code')
      .description(`One of ${PROPERTY_CATEGORIES.join(', ')} that the plan insures (another: 422 naming it)`),
  ),
  sumInsured: required(anyCurrencyMoney(false).description('The sum insured, a decimal string in the plan’s currency')),
  deductible: required(anyCurrencyMoney(true).description('One of the plan’s deductibles, a decimal string in its currency')),
  postcode: required(
    Joi.string()
      .trim()
      .uppercase()
      .max(10)
      .pattern(POSTCODE_PATTERN, 'postcode')
      .description('Letters, digits, space and hyphen (upper-cased); a zone of the plan matches it by prefix'),
  ),
  yearBuilt: required(Joi.number().integer().min(1).max(9999).description('The year the building was finished (from 1700 to this year)')),
  options: withDefault(
    Joi.array()
      .items(
        Joi.string()
          .max(40)
          .pattern(/^[A-Za-z0-9_.-]+$/, 'option code'),
      )
      .max(20)
      .description('Codes of the plan’s cover options, each at most once'),
    [],
  ),
}).label('Risk');

const quoteRequestKeys = { planId: required(uuid), risk: required(riskSchema) };

/** A visitor's quote on the public catalog: a plan and the risk. */
export const requestCatalogQuoteBody = object(quoteRequestKeys).label('RequestCatalogQuote');

/** A signed-in caller's quote: staff may name the policyholder it is for, who may then bind it. */
export const requestQuoteBody = object({
  ...quoteRequestKeys,
  policyholderId: uuid.description(
    'Staff only: the policyholder of your tenant the quote is for (active, verified), who may then see and bind it; a policyholder names no one else',
  ),
}).label('RequestQuote');

export const listQuotesQuery = object({
  ...pageQueryKeys,
  status: oneOf(ANSWERED_QUOTE_STATUSES).description('Only quotes answered with this status (expired: quoted, past its validity)'),
  ordering: orderingParam(['createdAt', 'validUntil'], '-createdAt'),
});

const amount = Joi.string().description('A decimal string in the quote’s currency');

export const quoteSchema = Joi.object({
  id: uuid,
  status: Joi.string().valid(...ANSWERED_QUOTE_STATUSES),
  planId: uuid,
  requestedById: uuid.allow(null).description('The user who asked for it; null: a visitor on the public catalog'),
  policyholderId: uuid
    .allow(null)
    .description(
      'The policyholder it is for: the requester when a policyholder asked, the one staff named when they asked; null when staff named none (they name the holder when binding) or a visitor asked',
    ),
  premium: amount,
  currency: Joi.string().length(3),
  breakdown: Joi.array().items(
    Joi.object({
      step: Joi.string(),
      label: Joi.string(),
      factor: Joi.string().description('The factor the step multiplied by, if it multiplied'),
      amount: amount.description('What the step added (negative: took off); the amounts add up to the premium'),
    }).label('BreakdownLine'),
  ),
  instalments: Joi.array().items(Joi.object({ number: Joi.number().integer(), amount }).label('QuoteInstalment')),
  ratingVersion: Joi.object({ id: uuid, number: Joi.number().integer(), effectiveFrom: Joi.string().isoDate() })
    .allow(null)
    .description('The rating tables that priced it; null: the plan’s fixed premium'),
  referralReasons: Joi.array().items(Joi.string()).description('Why it was referred to an underwriter'),
  referral: Joi.object({
    dueAt: Joi.date().allow(null).description('When it lapses unless an underwriter decides'),
    decidedAt: Joi.date().allow(null),
    loading: Joi.string().allow(null).description('The loading an accepted referral added, a fraction ("0.1500")'),
    note: Joi.string().allow(null).description('The underwriter’s note'),
  })
    .allow(null)
    .label('QuoteReferral')
    .description('A referred quote’s deadline and decision; null for a quote never referred (status says the outcome)'),
  subscriptionId: uuid.allow(null).description('The policy bound from it'),
  validUntil: Joi.date(),
  risk: Joi.object().description('The risk as priced'),
  createdAt: Joi.date(),
}).label('Quote');
