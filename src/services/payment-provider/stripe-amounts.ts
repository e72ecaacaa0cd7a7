/**
 * Stripe's `amount` against Insurflow's minor units (docs/premiums.md, Payment provider, Amounts at
 * Stripe). Stripe counts most currencies in their ISO 4217 minor unit, as Insurflow does
 * (src/shared/money.ts), but not all (https://docs.stripe.com/currencies): ISK and UGX have no
 * decimals, yet Stripe's API still counts them in hundredths for backwards compatibility (100 is
 * 1 króna, and an amount must be a multiple of 100); MGA, two decimals in ISO 4217, it counts in
 * whole ariary; and the three-decimal currencies it takes only in tens of the minor unit (the last
 * digit 0). Every amount sent to Stripe or read from it passes here, both ways.
 */
import { minorUnitDigits } from '../../shared/money';

/** The decimals of Stripe's `amount` where they are not the currency's minor unit's. */
const STRIPE_DIGITS: Readonly<Record<string, number>> = { ISK: 2, UGX: 2, MGA: 0 };

/** Currencies Stripe charges and refunds only in tens of their minor unit. */
const TENS_ONLY = ['BHD', 'JOD', 'KWD', 'OMR', 'TND'];

const stripeDigits = (currency: string) => STRIPE_DIGITS[currency] ?? minorUnitDigits(currency);

/**
 * The smallest step, in Insurflow's minor units, that Stripe charges and refunds in: 1 for most
 * currencies, 10 fils for KWD and the other three-decimal ones, 100 for MGA (whole ariary).
 */
export function stripeStepMinor(currency: string): number {
  const code = currency.toUpperCase();
  const lost = minorUnitDigits(code) - stripeDigits(code);
  return Math.max(10 ** lost, TENS_ONLY.includes(code) ? 10 : 1);
}

/**
 * Stripe's `amount` for `minor` Insurflow minor units, or undefined when Stripe cannot take that
 * amount (not a whole number of `stripeStepMinor`): 1000 ISK → 100000, 12.34 EUR (1234) → 1234.
 */
export function toStripeAmount(minor: number, currency: string): number | undefined {
  const code = currency.toUpperCase();
  if (!Number.isSafeInteger(minor) || minor % stripeStepMinor(code) !== 0) return undefined;
  const shift = stripeDigits(code) - minorUnitDigits(code);
  return shift >= 0 ? minor * 10 ** shift : minor / 10 ** -shift;
}

/**
 * Insurflow's minor units for Stripe's `amount`, or undefined when it is not a whole number of
 * them (an ISK amount Stripe reports that is not a multiple of 100): 100000 ISK → 1000.
 */
export function fromStripeAmount(amount: number, currency: string): number | undefined {
  const code = currency.toUpperCase();
  if (!Number.isSafeInteger(amount)) return undefined;
  const shift = stripeDigits(code) - minorUnitDigits(code);
  if (shift <= 0) return amount * 10 ** -shift;
  return amount % 10 ** shift === 0 ? amount / 10 ** shift : undefined;
}
