/**
 * Stripe's amounts against Insurflow's minor units (docs/premiums.md, Amounts at Stripe): what
 * stripe-mock cannot show, as it keeps none of Stripe's currency rules.
 */
import { fromStripeAmount, stripeStepMinor, toStripeAmount } from '../../../src/services/payment-provider/stripe-amounts';

describe("Stripe's amounts", () => {
  it('counts ISK and UGX, which have no decimals, in hundredths both ways: 1000 ISK is 100000 at Stripe', () => {
    expect(toStripeAmount(1000, 'ISK')).toBe(100_000);
    expect(fromStripeAmount(100_000, 'ISK')).toBe(1000);
    expect(toStripeAmount(25_000, 'ugx')).toBe(2_500_000);
    expect(fromStripeAmount(2_500_000, 'UGX')).toBe(25_000);
    // Stripe takes only whole krónur: an amount of 1.50 króna is no Insurflow amount.
    expect(fromStripeAmount(150, 'ISK')).toBeUndefined();
    expect(stripeStepMinor('ISK')).toBe(1);
  });

  it('passes a currency Stripe counts as Insurflow does unchanged: EUR cents, JPY yen', () => {
    expect(toStripeAmount(1234, 'EUR')).toBe(1234);
    expect(fromStripeAmount(1234, 'EUR')).toBe(1234);
    expect(toStripeAmount(910, 'JPY')).toBe(910);
    expect(fromStripeAmount(910, 'JPY')).toBe(910);
    expect(stripeStepMinor('EUR')).toBe(1);
  });

  it('takes the three-decimal currencies in tens of fils only; MGA in whole ariary', () => {
    for (const currency of ['KWD', 'BHD', 'JOD', 'OMR', 'TND']) expect(stripeStepMinor(currency)).toBe(10);
    expect(toStripeAmount(1_000_090, 'KWD')).toBe(1_000_090);
    expect(toStripeAmount(1_000_087, 'KWD')).toBeUndefined();
    expect(fromStripeAmount(1_000_090, 'KWD')).toBe(1_000_090);
    expect(stripeStepMinor('MGA')).toBe(100);
    expect(toStripeAmount(12_300, 'MGA')).toBe(123);
    expect(toStripeAmount(12_345, 'MGA')).toBeUndefined();
    expect(fromStripeAmount(123, 'MGA')).toBe(12_300);
  });

  it('reads no amount that is not a whole number', () => {
    expect(fromStripeAmount(12.5, 'EUR')).toBeUndefined();
    expect(toStripeAmount(12.5, 'EUR')).toBeUndefined();
  });
});
