/**
 * The smallest card payment (docs/premiums.md, The smallest card payment). A policyholder pays an
 * invoice by card (POST /invoices/:id/payment-intent), and the payment provider refuses a charge
 * below its minimum for the currency: a premium of 0.01 USD was billed and made a PaymentIntent of
 * 1 cent that no card could pay. So an amount Insurflow bills on its own (an instalment of a plan's
 * or a quote's premium, a policy change's additional premium) is at least this much, refused with
 * 422 where it is priced otherwise.
 */
import { unprocessable } from './errors';
import { MONTHS_PER_INSTALMENT, type BillingFrequency } from './instalments';
import { formatMinorUnits, toMinorUnits } from './money';

/**
 * Stripe's minimum charge amounts (https://docs.stripe.com/currencies, Minimum and maximum charge
 * amounts), in the currency's major unit.
 */
const CARD_MINIMUM: Readonly<Record<string, string>> = {
  USD: '0.50',
  AED: '2.00',
  AUD: '0.50',
  BGN: '1.00',
  BRL: '0.50',
  CAD: '0.50',
  CHF: '0.50',
  CZK: '15.00',
  DKK: '2.50',
  EUR: '0.50',
  GBP: '0.30',
  HKD: '4.00',
  HUF: '175.00',
  INR: '0.50',
  JPY: '50',
  MXN: '10.00',
  MYR: '2.00',
  NOK: '3.00',
  NZD: '0.50',
  PLN: '2.00',
  RON: '2.00',
  SEK: '3.00',
  SGD: '0.50',
  THB: '10.00',
};

/**
 * A currency Stripe states no amount for is held to 50 of its minor units (0.50 in a currency of
 * two decimals): its minimum there is the equivalent of 0.50 USD, which may be more.
 */
const UNLISTED_MINIMUM_MINOR = 50;

/** The smallest card payment in `currency`, in its minor units. */
export function cardMinimumMinor(currency: string): number {
  const listed = CARD_MINIMUM[currency];
  return listed === undefined ? UNLISTED_MINIMUM_MINOR : toMinorUnits(listed, currency)!;
}

/** `minor` of `currency` with the currency code: "0.50 USD". */
const money = (minor: number, currency: string) => `${formatMinorUnits(minor, currency)} ${currency}`;

export interface BilledPremium {
  premiumMinor: number;
  currency: string;
  billingFrequency: BillingFrequency;
  durationMonths: number;
}

/**
 * Why a premium's instalments could not be paid by card, if they could not: the smallest one
 * (src/shared/instalments.ts cuts them: the premium's share, none of zero) is below the minimum.
 */
export function premiumBelowCardMinimum({ premiumMinor, currency, billingFrequency, durationMonths }: BilledPremium): string | null {
  const count = Math.ceil(durationMonths / MONTHS_PER_INSTALMENT[billingFrequency]);
  const each = Math.floor(premiumMinor / count);
  // With fewer minor units than instalments only the first is billed, and it is the premium.
  const smallest = each > 0 ? each : premiumMinor;
  const minimum = cardMinimumMinor(currency);
  if (smallest >= minimum) return null;
  return `each instalment must be at least ${money(minimum, currency)}, the smallest card payment: ${money(premiumMinor, currency)} billed ${billingFrequency} has an instalment of ${money(smallest, currency)}`;
}

/** 422 naming `field` when the premium's instalments could not be paid by card. */
export function assertPremiumPayableByCard(premium: BilledPremium, field: string): void {
  const refusal = premiumBelowCardMinimum(premium);
  if (refusal) throw unprocessable(`The premium could not be paid by card: ${refusal}`, [{ field, message: refusal }]);
}

/**
 * 422 naming `field` when an additional premium billed on its own (a policy change's) is below the
 * smallest card payment; a return premium is credited or refunded, never charged.
 */
export function assertChargePayableByCard(amountMinor: number, currency: string, field: string): void {
  const minimum = cardMinimumMinor(currency);
  if (amountMinor <= 0 || amountMinor >= minimum) return;
  const message = `the additional premium of ${money(amountMinor, currency)} is below ${money(minimum, currency)}, the smallest card payment, and could not be paid`;
  throw unprocessable(`The change could not be billed: ${message}`, [{ field, message }]);
}
