/** Amounts as people give them, checked against their currency (docs/premiums.md, Money). */
import { minorUnitDigits, toMinorUnits } from '../../shared/money';
import { unprocessable } from '../../shared/errors';

/**
 * The amount in the currency's minor units; 422 on `field` when the currency cannot hold it
 * (12.345 EUR, 100.5 JPY) or it is zero: it could never be billed or paid exactly.
 */
export function amountIn(amount: string | number, currency: string, field: string): number {
  const minor = toMinorUnits(amount, currency);
  if (minor === null || minor === 0) {
    const digits = minorUnitDigits(currency);
    throw unprocessable(`An amount in ${currency} is positive with at most ${digits} decimal${digits === 1 ? '' : 's'}`, [
      { field, message: `not an amount in ${currency}` },
    ]);
  }
  return minor;
}
