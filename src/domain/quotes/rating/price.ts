/**
 * The price of a risk under a plan's rating tables (docs/quotes.md, Rating tables): pure and exact,
 * so quotes, referral decisions, renewals and policy changes price a risk the same way.
 *
 * Amounts are integer minor units of the plan's currency held as BigInt: a sum insured of 10^12
 * minor units times a factor with six decimals leaves the safe integers, and a float would lose
 * the cent. Each step multiplies (or adds to) the running premium and is rounded half up to the
 * minor unit at once; its breakdown line's amount is the change that step made, so the lines add
 * up to the premium exactly, in every currency: a premium in dinars is exact to the fils, as a policy
 * keeps it (migration 0099). The tables were checked when saved (./tables.ts); what is checked
 * here is the risk against them, and a risk they refuse is a 422 naming its field.
 */
import type { BreakdownLine, PropertyCategory, RatingTables, Risk } from '../../../contracts/quote';
import { conflict, unprocessable } from '../../../shared/errors';
import { formatMinorUnits, minorUnitDigits, toMinorUnits } from '../../../shared/money';

/** The oldest building a risk may name (a year before is a typing mistake, not a building). */
export const EARLIEST_YEAR_BUILT = 1700;

/** What a premium column holds (DECIMAL(12,2) in the currency's units): 9,999,999,999.99. */
export const MAX_PREMIUM = '9999999999.99';

/** MAX_PREMIUM in minor units of the currency (JPY 9,999,999,999 yen). */
export function maxPremiumMinor(currency: string): bigint {
  const digits = minorUnitDigits(currency);
  const hundredths = 999_999_999_999n;
  return digits >= 2 ? hundredths * 10n ** BigInt(digits - 2) : hundredths / 10n ** BigInt(2 - digits);
}

export interface PriceOptions {
  /** The plan's currency: amounts are read and written with its digits (JPY none). */
  currency: string;
  /** YYYY-MM-DD: the day the building's age is counted on (the quote's, the renewal's). */
  onDate: string;
  /** An underwriter's loading on an accepted referral, a fraction ("0.15"). */
  loading?: string;
}

export interface Price {
  premiumMinor: number;
  breakdown: BreakdownLine[];
  /** Why the tables' referral rules send this risk to an underwriter (empty: quoted at once). */
  referralReasons: string[];
}

/** A decimal string as units of 10^-scale: "1.25" → { units: 125n, divisor: 100n }. */
interface Decimal {
  units: bigint;
  divisor: bigint;
}

const DECIMAL_PATTERN = /^(\d{1,15})(?:\.(\d{1,12}))?$/;

/** A decimal of the saved tables (factors, rates, credits); the tables were validated, so a bad one is a bug. */
export function parseDecimal(text: string): Decimal {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1] + fraction), divisor: 10n ** BigInt(fraction.length) };
}

/**
 * An amount of the saved tables in minor units of the currency. The tables were checked in the plan's
 * currency of the day they were saved; a plan whose currency changed since (before that was refused,
 * docs/catalog.md) may hold amounts the new one cannot: a conflict (409), never a price in the wrong unit.
 */
function tableMoney(text: string, currency: string): bigint {
  const minor = toMinorUnits(text, currency);
  if (minor === null)
    throw conflict(
      `The plan's rating tables hold ${text}, not an amount in ${currency}: the plan cannot be quoted until its tables are saved again`,
    );
  return BigInt(minor);
}

/** n / d rounded half up, for n ≥ 0 and d > 0 (every product here is of non-negative amounts and factors). */
function roundHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/** An amount of the risk in minor units, or a 422 naming the field (more decimals than the currency has). */
export function riskMoney(text: string, currency: string, field: string): bigint {
  const minor = toMinorUnits(text, currency);
  if (minor === null)
    throw unprocessable(`${field} must be an amount in ${currency}`, [
      { field, message: `${text} is not an amount with at most ${minorUnitDigits(currency)} decimals` },
    ]);
  return BigInt(minor);
}

/**
 * Why a plan's fixed premium cannot insure a risk of `sumInsured`, if it cannot: that premium prices the plan's
 * cover, and a policy of the risk covers its sum insured, so one above the plan's cover would be insured at the
 * plan's premium whatever its size (a quote on a plan without tables, a rated policy moved to one).
 */
export function beyondFixedCover(sumInsured: string, plan: { coverageAmount: string; currency: string }, field: string): string | null {
  if (riskMoney(sumInsured, plan.currency, field) <= BigInt(toMinorUnits(plan.coverageAmount, plan.currency) ?? 0)) return null;
  return `${sumInsured} is above the plan's cover of ${plan.coverageAmount}`;
}

function refuse(field: string, message: string): never {
  throw unprocessable(`The plan's rating tables refuse this risk: ${field} ${message}`, [{ field, message }]);
}

/** The zone whose longest postcode prefix starts the postcode. */
function zoneOf(tables: RatingTables, postcode: string): RatingTables['zones'][number] | undefined {
  let found: RatingTables['zones'][number] | undefined;
  let longest = 0;
  for (const zone of tables.zones)
    for (const prefix of zone.postcodePrefixes)
      if (prefix.length > longest && postcode.startsWith(prefix)) {
        found = zone;
        longest = prefix.length;
      }
  return found;
}

/** Builds the breakdown as the steps run: each line records what the step changed. */
export class Steps {
  readonly lines: BreakdownLine[] = [];
  premium = 0n;

  constructor(private readonly currency: string) {}

  /** Sets the running premium to `next` and records the change. */
  to(next: bigint, step: BreakdownLine['step'], label: string, factor?: string): void {
    const line: BreakdownLine = { step, label, amount: formatMinorUnits(Number(next - this.premium), this.currency) };
    if (factor !== undefined) line.factor = factor;
    this.lines.push(line);
    this.premium = next;
  }

  /** Multiplies the running premium by a factor, rounded half up to the minor unit. */
  times(factor: Decimal, step: BreakdownLine['step'], label: string, factorText: string): void {
    this.to(roundHalfUp(this.premium * factor.units, factor.divisor), step, label, factorText);
  }

  plus(amount: bigint, step: BreakdownLine['step'], label: string): void {
    this.to(this.premium + amount, step, label);
  }
}

/** A non-negative decimal as a string with its own decimals: { 90n, 100n } → "0.90". */
function decimalText({ units, divisor }: Decimal): string {
  const digits = String(divisor).length - 1;
  const text = String(units).padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** 1 − d (a deductible's credit) or 1 + d (a loading): the factor applied, and as the breakdown writes it. */
function oneAnd(sign: 1n | -1n, d: Decimal): { factor: Decimal; text: string } {
  const factor = { units: d.divisor + sign * d.units, divisor: d.divisor };
  return { factor, text: decimalText(factor) };
}

/** The entries of the tables a risk falls in: what prices it. */
export interface Choice {
  sumInsured: bigint;
  category: string;
  categoryFactor: string;
  /** The building's age in years, and the band it falls in. */
  age: number;
  band: RatingTables['buildingAge'][number];
  zone: RatingTables['zones'][number];
  deductible: RatingTables['deductibles'][number];
  options: RatingTables['options'];
}

/** The steps of the formula (RatingTables' comment) over a choice: the premium and the breakdown that adds up to it. */
export function priceChoice(tables: RatingTables, choice: Choice, currency: string, loadingText?: string): Steps {
  const steps = new Steps(currency);
  const rate = parseDecimal(tables.ratePerThousand);
  steps.to(
    roundHalfUp(choice.sumInsured * rate.units, 1000n * rate.divisor),
    'base',
    `Sum insured ${formatMinorUnits(Number(choice.sumInsured), currency)} at ${tables.ratePerThousand} per 1,000`,
    tables.ratePerThousand,
  );
  steps.times(parseDecimal(choice.categoryFactor), 'category', `Property category ${choice.category}`, choice.categoryFactor);
  const { band, zone, deductible } = choice;
  steps.times(parseDecimal(band.factor), 'buildingAge', `Building ${choice.age} years old (band up to ${band.upToYears})`, band.factor);
  steps.times(parseDecimal(zone.factor), 'zone', `Zone ${zone.code}`, zone.factor);
  const credit = oneAnd(-1n, parseDecimal(deductible.credit));
  steps.times(credit.factor, 'deductible', `Deductible ${deductible.amount} (credit ${deductible.credit})`, credit.text);
  for (const option of choice.options) steps.plus(tableMoney(option.premium, currency), 'option', option.label);

  const minimum = tableMoney(tables.minimumPremium, currency);
  if (steps.premium < minimum) steps.to(minimum, 'minimum', `Minimum premium ${tables.minimumPremium}`);
  if (loadingText !== undefined) {
    const loading = parseDecimal(loadingText);
    if (loading.units > 0n) {
      const factor = oneAnd(1n, loading);
      steps.times(factor.factor, 'loading', `Underwriter's loading ${loadingText}`, factor.text);
    }
  }
  const tax = parseDecimal(tables.taxRate);
  if (tax.units > 0n) steps.plus(roundHalfUp(steps.premium * tax.units, tax.divisor), 'tax', `Tax at ${tables.taxRate}`);
  for (const fee of tables.fees) steps.plus(tableMoney(fee.amount, currency), 'fee', fee.label);
  return steps;
}

/**
 * The premium of `risk` under `tables` on `options.onDate`, its breakdown and the referral rules it
 * meets. Throws a 422 naming the field for a risk the tables refuse: a category the plan does not
 * insure, a sum insured outside its range, a deductible it does not offer, a postcode no zone
 * matches, a building from the future, before 1700 or older than the last age band, an unknown or
 * repeated option.
 */
export function priceRisk(tables: RatingTables, risk: Risk, options: PriceOptions): Price {
  const { currency } = options;
  // Own keys only: a category named "constructor" must not find Object.prototype's.
  const categoryFactor = Object.hasOwn(tables.categories, risk.propertyCategory)
    ? tables.categories[risk.propertyCategory as PropertyCategory]
    : undefined;
  if (categoryFactor === undefined) refuse('risk.propertyCategory', `${risk.propertyCategory} is not a category this plan insures`);

  const sumInsured = riskMoney(risk.sumInsured, currency, 'risk.sumInsured');
  const min = tableMoney(tables.sumInsured.min, currency);
  const max = tableMoney(tables.sumInsured.max, currency);
  if (sumInsured < min || sumInsured > max)
    refuse('risk.sumInsured', `${risk.sumInsured} is outside the plan's range ${tables.sumInsured.min} to ${tables.sumInsured.max}`);

  const deductibleMinor = riskMoney(risk.deductible, currency, 'risk.deductible');
  const deductible = tables.deductibles.find((d) => tableMoney(d.amount, currency) === deductibleMinor);
  if (!deductible) refuse('risk.deductible', `${risk.deductible} is not a deductible this plan offers`);

  const zone = zoneOf(tables, risk.postcode);
  if (!zone) refuse('risk.postcode', `${risk.postcode} is in no zone this plan insures`);

  const year = Number(options.onDate.slice(0, 4));
  if (!Number.isInteger(risk.yearBuilt) || risk.yearBuilt > year || risk.yearBuilt < EARLIEST_YEAR_BUILT)
    refuse('risk.yearBuilt', `${risk.yearBuilt} must be a year from ${EARLIEST_YEAR_BUILT} to ${year}`);
  const age = year - risk.yearBuilt;
  const band = tables.buildingAge.find((b) => b.upToYears >= age);
  if (!band) refuse('risk.yearBuilt', `a building ${age} years old is older than this plan's age bands`);

  const chosen = risk.options.map((code, index) => {
    const option = tables.options.find((o) => o.code === code);
    if (!option) refuse(`risk.options.${index}`, `${code} is not an option of this plan`);
    if (risk.options.indexOf(code) !== index) refuse(`risk.options.${index}`, `${code} is named twice`);
    return option;
  });

  const choice = { sumInsured, category: risk.propertyCategory, categoryFactor, age, band, zone, deductible, options: chosen };
  const steps = priceChoice(tables, choice, currency, options.loading);
  // The tables' dearest risk is within the bound (./tables.ts); a loading may still lift it past.
  if (steps.premium > maxPremiumMinor(currency))
    throw unprocessable(`The premium would be above ${MAX_PREMIUM}`, [{ field: 'loading', message: 'prices above the bound' }]);
  return {
    premiumMinor: Number(steps.premium),
    breakdown: steps.lines,
    referralReasons: referralReasons(tables, risk, sumInsured, age, zone.code, currency),
  };
}

/** The referral rules the risk meets, each as a sentence an underwriter reads. */
function referralReasons(tables: RatingTables, risk: Risk, sumInsured: bigint, age: number, zone: string, currency: string): string[] {
  const { sumInsuredAbove, buildingOlderThanYears, zones } = tables.referral;
  const reasons: string[] = [];
  if (sumInsuredAbove !== undefined && sumInsured > tableMoney(sumInsuredAbove, currency))
    reasons.push(`Sum insured ${risk.sumInsured} is above ${sumInsuredAbove}`);
  if (buildingOlderThanYears !== undefined && age > buildingOlderThanYears)
    reasons.push(`Building is ${age} years old, older than ${buildingOlderThanYears}`);
  if (zones?.includes(zone)) reasons.push(`Zone ${zone} is referred`);
  return reasons;
}
