/**
 * What a quote prices and how (docs/quotes.md), shared by the API, the worker and the models: the
 * risk a person describes, a plan's rating tables, and the breakdown of a price. Money is a
 * decimal string in the plan's currency (never a float); factors are decimal strings too.
 */

/** The property categories a risk may name (seed 000). */
export const PROPERTY_CATEGORIES = ['apartment', 'detached_house', 'duplex', 'bungalow', 'small_office', 'shop'] as const;
export type PropertyCategory = (typeof PROPERTY_CATEGORIES)[number];

/** A risk's postcode: upper-case letters, digits, space and hyphen, at most 10, as zones' prefixes are written. */
export const POSTCODE_PATTERN = /^[A-Z0-9][A-Z0-9 -]{0,9}$/;

/** The risk a quote prices. */
export interface Risk {
  propertyCategory: PropertyCategory;
  /** The sum insured, a decimal string in the plan's currency. */
  sumInsured: string;
  /** The deductible the holder carries, one of the plan's (a decimal string). */
  deductible: string;
  /** Upper-case letters, digits, space and hyphen; zones match it by prefix. */
  postcode: string;
  yearBuilt: number;
  /** Codes of the plan's cover options, each at most once. */
  options: string[];
}

/**
 * A plan's rating tables (one version). The premium is
 *   sumInsured / 1000 × ratePerThousand × category × building age × zone × (1 − deductible credit)
 *   + the options' premiums, at least `minimumPremium`, × (1 + loading), + tax, + fees,
 * each step rounded half up to the currency's minor unit (the fils in a currency of three decimals).
 */
export interface RatingTables {
  ratePerThousand: string;
  /** The sums insured the plan accepts, inclusive. */
  sumInsured: { min: string; max: string };
  /** The factor of each category the plan insures; a category not listed is refused (422). */
  categories: Partial<Record<PropertyCategory, string>>;
  /** The deductibles the plan offers, each with its credit (a fraction off, 0 ≤ credit < 1). */
  deductibles: { amount: string; credit: string }[];
  /** Bands of the building's age in years on the quote's date, ascending; the first band whose `upToYears` is ≥ the age applies. */
  buildingAge: { upToYears: number; factor: string }[];
  /** Zones by postcode prefix; the longest matching prefix wins; a postcode no zone matches is refused (422). */
  zones: { code: string; postcodePrefixes: string[]; factor: string }[];
  /** Cover options, each with its own premium. */
  options: { code: string; label: string; premium: string }[];
  minimumPremium: string;
  /** Insurance premium tax, a fraction of the premium (0 if the tenant charges none). */
  taxRate: string;
  /** Flat fees added last (not taxed). */
  fees: { label: string; amount: string }[];
  /** What refers a quote to an underwriter instead of quoting it. */
  referral: { sumInsuredAbove?: string; buildingOlderThanYears?: number; zones?: string[] };
}

/** One step of a price: what it was, the factor it applied (if it multiplied), and the amount it added (negative: took off). */
export interface BreakdownLine {
  /** `rounding`: only in quotes priced in a currency of three decimals from 2026-11-30 until the pricer kept the fils (docs/quotes.md). */
  step:
    'base' | 'category' | 'buildingAge' | 'zone' | 'deductible' | 'option' | 'minimum' | 'loading' | 'tax' | 'fee' | 'rounding' | 'fixed';
  label: string;
  factor?: string;
  /** A decimal string in the plan's currency; the amounts of a breakdown add up to its premium. */
  amount: string;
}
