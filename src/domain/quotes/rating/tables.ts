/**
 * Whether a plan's rating tables mean something priceable (docs/quotes.md, Rating tables), checked
 * when a version is saved; the request's schema has checked their shape and bounds already (400).
 * Every refusal is a 422 naming the field, all of them at once so an admin fixes a table in one go:
 *
 * - amounts have at most the currency's digits; the sum-insured range runs forward;
 * - factors are in (0, 10], the rate per 1,000 in (0, 1000], credits in [0, 0.9], the tax rate in [0, 1];
 * - age bands ascend; zone codes, postcode prefixes (over all zones), option codes and deductible
 *   amounts are unique; the referral zones are zones of the tables;
 * - the dearest risk (the largest sum insured, the dearest category, age band and zone, the
 *   smallest credit, every option, the tax and the fees) prices at most the largest sum insured and
 *   at most 9,999,999,999.99, what a premium column holds. The cheapest risk needs no check: it
 *   prices at least the minimum premium, which is more than 0.
 */
import type { RatingTables } from '../../../contracts/quote';
import { type ErrorDetail, unprocessable } from '../../../shared/errors';
import { formatMinorUnits, minorUnitDigits, toMinorUnits } from '../../../shared/money';
import { MAX_PREMIUM, maxPremiumMinor, parseDecimal, priceChoice } from './price';

/** Whether the decimal `text` is within [low, high] (given as units of 10^-4), and above `low` when `low` is excluded. */
function within(text: string, low: bigint, high: bigint, lowExcluded: boolean): boolean {
  const { units, divisor } = parseDecimal(text);
  const scaled = units * 10_000n; // compared with the bounds × divisor, both in units of 10^-4 × divisor
  return (lowExcluded ? scaled > low * divisor : scaled >= low * divisor) && scaled <= high * divisor;
}

const FACTOR = { low: 0n, high: 100_000n, lowExcluded: true, says: 'must be more than 0 and at most 10' };
const RATE = { low: 0n, high: 10_000_000n, lowExcluded: true, says: 'must be more than 0 and at most 1000' };
const CREDIT = { low: 0n, high: 9_000n, lowExcluded: false, says: 'must be from 0 to 0.9' };
const TAX = { low: 0n, high: 10_000n, lowExcluded: false, says: 'must be from 0 to 1' };

/** A decimal of at most 12 decimals as an exact integer of 10^-12 units, to compare decimals of different scales. */
function picoUnits(text: string): bigint {
  const { units, divisor } = parseDecimal(text);
  return (units * 10n ** 12n) / divisor;
}

/** The item of the largest value (the schema lets no list of the tables be empty). */
function largest<T>(items: readonly T[], value: (item: T) => bigint): T {
  return items.reduce((best, item) => (value(item) > value(best) ? item : best));
}

/** The problems of `tables` for a plan in `currency`, each naming its field (empty: the tables may be saved). */
export function ratingTableProblems(tables: RatingTables, currency: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, message: string) => problems.push({ field: `tables.${field}`, message });
  const amount = (field: string, text: string): bigint | null => {
    const minor = toMinorUnits(text, currency);
    if (minor === null) problem(field, `${text} has more decimals than ${currency} has (${minorUnitDigits(currency)})`);
    return minor === null ? null : BigInt(minor);
  };
  const bounded = (field: string, text: string, bounds: typeof FACTOR) => {
    if (!within(text, bounds.low, bounds.high, bounds.lowExcluded)) problem(field, `${text} ${bounds.says}`);
  };
  /** Refuses a code named twice: `code(index)` the field of the index-th. */
  const unique = (values: string[], code: (index: number) => string, what: string) => {
    const seen = new Set<string>();
    values.forEach((value, index) => {
      if (seen.has(value)) problem(code(index), `${what} ${value} is named twice`);
      seen.add(value);
    });
  };

  bounded('ratePerThousand', tables.ratePerThousand, RATE);
  const min = amount('sumInsured.min', tables.sumInsured.min);
  const max = amount('sumInsured.max', tables.sumInsured.max);
  if (min !== null && max !== null && min > max) problem('sumInsured.max', `must be at least sumInsured.min ${tables.sumInsured.min}`);
  for (const [category, factor] of categoriesOf(tables)) bounded(`categories.${category}`, factor, FACTOR);
  const deductibles = tables.deductibles.map((d, index) => {
    bounded(`deductibles.${index}.credit`, d.credit, CREDIT);
    return amount(`deductibles.${index}.amount`, d.amount);
  });
  tables.deductibles.forEach((d, index) => {
    const minor = deductibles[index];
    if (minor !== null && deductibles.indexOf(minor) !== index)
      problem(`deductibles.${index}.amount`, `the deductible ${d.amount} is named twice`);
  });
  tables.buildingAge.forEach((band, index) => {
    bounded(`buildingAge.${index}.factor`, band.factor, FACTOR);
    if (index > 0 && band.upToYears <= tables.buildingAge[index - 1].upToYears)
      problem(
        `buildingAge.${index}.upToYears`,
        `${band.upToYears} must be above the band before (${tables.buildingAge[index - 1].upToYears})`,
      );
  });
  tables.zones.forEach((zone, index) => bounded(`zones.${index}.factor`, zone.factor, FACTOR));
  unique(
    tables.zones.map((zone) => zone.code),
    (index) => `zones.${index}.code`,
    'the zone',
  );
  // A prefix in two zones would leave the zone of its postcodes to the order of the list.
  const prefixes = tables.zones.flatMap((zone, index) =>
    zone.postcodePrefixes.map((prefix, p) => ({ prefix, field: `zones.${index}.postcodePrefixes.${p}` })),
  );
  unique(
    prefixes.map((p) => p.prefix),
    (index) => prefixes[index].field,
    'the postcode prefix',
  );
  unique(
    tables.options.map((option) => option.code),
    (index) => `options.${index}.code`,
    'the option',
  );
  tables.options.forEach((option, index) => amount(`options.${index}.premium`, option.premium));
  amount('minimumPremium', tables.minimumPremium);
  bounded('taxRate', tables.taxRate, TAX);
  tables.fees.forEach((fee, index) => amount(`fees.${index}.amount`, fee.amount));
  const { sumInsuredAbove, zones } = tables.referral;
  if (sumInsuredAbove !== undefined) amount('referral.sumInsuredAbove', sumInsuredAbove);
  zones?.forEach((code, index) => {
    if (!tables.zones.some((zone) => zone.code === code)) problem(`referral.zones.${index}`, `${code} is not a zone of these tables`);
  });
  // The dearest risk is priced only by tables whose every value is right.
  if (problems.length === 0 && max !== null) {
    const dearestPremium = dearestPremiumMinor(tables, max, currency);
    const bound = max < maxPremiumMinor(currency) ? max : maxPremiumMinor(currency);
    if (dearestPremium > bound)
      problem(
        'ratePerThousand',
        `the dearest risk would price ${formatMinorUnits(Number(dearestPremium), currency)}, above ${
          bound === max ? `the largest sum insured ${tables.sumInsured.max}` : MAX_PREMIUM
        }`,
      );
  }
  return problems;
}

/** The categories the tables insure with their factors (a JSON object has no undefined values). */
const categoriesOf = (tables: RatingTables) => Object.entries(tables.categories) as [string, string][];

/** What the dearest risk the tables price costs: the largest sum, the dearest factors, the smallest credit, every option. */
function dearestPremiumMinor(tables: RatingTables, sumInsured: bigint, currency: string): bigint {
  const [category, categoryFactor] = largest(categoriesOf(tables), ([, factor]) => picoUnits(factor));
  const band = largest(tables.buildingAge, (b) => picoUnits(b.factor));
  const zone = largest(tables.zones, (z) => picoUnits(z.factor));
  const deductible = largest(tables.deductibles, (d) => -picoUnits(d.credit));
  const choice = { sumInsured, category, categoryFactor, age: band.upToYears, band, zone, deductible, options: tables.options };
  return priceChoice(tables, choice, currency).premium;
}

/** Refuses (422, every problem named) tables that would not price sensibly in the plan's currency. */
export function assertRatingTables(tables: RatingTables, currency: string): void {
  const problems = ratingTableProblems(tables, currency);
  if (problems.length > 0) throw unprocessable('The rating tables cannot be saved as they are', problems);
}
