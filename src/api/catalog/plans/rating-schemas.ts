/**
 * A plan's rating tables as a request gives them and a version as answered (docs/quotes.md, Rating
 * tables). The schema is the shape: every string, number and list bounded, a wrong one a 400.
 * Whether the values mean a priceable table (factor ranges, ascending ages, unique codes, the
 * dearest risk within bounds, amounts in the plan's currency's digits) is the domain's, a 422
 * naming the field (src/domain/quotes/rating/tables.ts).
 */
import Joi from 'joi';
import { PROPERTY_CATEGORIES, type RatingTables } from '../../../contracts/quote';
import { calendarDay, object, required, withDefault } from '../../../shared/typed-schema';
import { anyCurrencyMoney, printableText, uuid } from '../../http/common-schemas';

/** A decimal string of digits: `integerDigits` before the point, at most `decimals` after. */
const decimal = (integerDigits: number, decimals: number, description: string) =>
  Joi.string()
    .max(integerDigits + 1 + decimals)
    .pattern(new RegExp(`^[0-9]{1,${integerDigits}}(\\.[0-9]{1,${decimals}})?$`), 'decimal')
    .description(description);

const factor = decimal(2, 4, 'A factor, more than 0 and at most 10 (up to 4 decimals)');
const fraction = (description: string) => decimal(1, 4, description);
const label = printableText(200);
/** A zone's code: capitals, digits, underscore and hyphen. */
const zoneCode = Joi.string()
  .max(20)
  .pattern(/^[A-Z0-9_-]{1,20}$/, 'zone code');
/** As a risk's postcode is written (upper case), so a prefix matches it as given. */
const postcodePrefix = Joi.string()
  .max(10)
  .pattern(/^[A-Z0-9][A-Z0-9 -]{0,9}$/, 'postcode prefix');
/** As a risk names an option (src/api/quotes/schemas.ts). */
const optionCode = Joi.string()
  .max(40)
  .pattern(/^[A-Za-z0-9_.-]{1,40}$/, 'option code');
const years = Joi.number().integer().min(0).max(1000);

export const ratingTablesSchema = object({
  ratePerThousand: required(decimal(4, 6, 'The premium per 1,000 of sum insured, more than 0 and at most 1000 (up to 6 decimals)')),
  sumInsured: required(
    object({ min: required(anyCurrencyMoney(false)), max: required(anyCurrencyMoney(false)) }).description(
      'The sums insured the plan accepts, inclusive',
    ),
  ),
  categories: required(
    Joi.object<RatingTables['categories']>(Object.fromEntries(PROPERTY_CATEGORIES.map((category) => [category, factor])))
      .min(1)
      .description('The factor of each category the plan insures; a category left out is refused when quoted'),
  ),
  deductibles: required(
    Joi.array()
      .items(object({ amount: required(anyCurrencyMoney(true)), credit: required(fraction('A fraction off the premium, 0 to 0.9')) }))
      .min(1)
      .max(20),
  ),
  buildingAge: required(
    Joi.array()
      .items(object({ upToYears: required(years), factor: required(factor) }))
      .min(1)
      .max(30)
      .description('Bands of the building’s age in years, ascending; the first whose upToYears is at least the age applies'),
  ),
  zones: required(
    Joi.array()
      .items(
        object({
          code: required(zoneCode),
          postcodePrefixes: required(Joi.array().items(postcodePrefix).min(1).max(50)),
          factor: required(factor),
        }),
      )
      .min(1)
      .max(100)
      .description('Zones by postcode prefix; the longest matching prefix wins; a postcode no zone matches is refused when quoted'),
  ),
  options: withDefault(
    Joi.array()
      .items(object({ code: required(optionCode), label: required(label), premium: required(anyCurrencyMoney(true)) }))
      .max(20),
    [],
  ),
  minimumPremium: required(anyCurrencyMoney(false)),
  taxRate: withDefault(fraction('Insurance premium tax, a fraction of the premium from 0 to 1'), '0'),
  fees: withDefault(
    Joi.array()
      .items(object({ label: required(label), amount: required(anyCurrencyMoney(false)) }))
      .max(10)
      .description('Flat fees added last, not taxed'),
    [],
  ),
  referral: withDefault(
    object({
      sumInsuredAbove: anyCurrencyMoney(false),
      buildingOlderThanYears: years,
      zones: Joi.array().items(zoneCode).max(100),
    }).description('What refers a quote to an underwriter instead of quoting it'),
    {},
  ),
}).label('RatingTables');

export const saveRatingVersionBody = object({
  effectiveFrom: required(
    calendarDay.description('The first day (YYYY-MM-DD) it prices quotes: from today (UTC) to two years ahead, after the latest version’s'),
  ),
  tables: required(ratingTablesSchema),
}).label('SaveRatingVersion');

export const ratingVersionSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  planId: uuid,
  number: Joi.number().integer().description('1, 2, … per plan'),
  effectiveFrom: Joi.string().description('YYYY-MM-DD'),
  tables: Joi.object().description('The rating tables, as saved'),
  createdById: uuid,
  createdAt: Joi.date(),
}).label('RatingVersion');
