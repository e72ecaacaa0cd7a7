/**
 * Money as integer minor units (docs/premiums.md): an amount is a whole number of its currency's
 * smallest unit (cents, yen, fils), never a binary float. Decimal strings and JSON numbers are
 * converted by their digits, so 0.1 + 0.2 never appears.
 */

/**
 * ISO 4217 currencies whose minor unit is not 2 decimals. Every other well-formed code has 2.
 * (The full table changes rarely; these are the ones in circulation with 0 or 3 decimals.)
 */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** A currency code as ISO 4217 writes it: three capital letters. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** The largest claim amount kept (a reserve line, a recovery, an authority): what numeric(14,2) holds, with room. */
export const MAX_CLAIM_AMOUNT = 99_999_999.99;

/** A claim amount as a request gives it (`moneyInput`): two decimals, as the rows keep it, and at most MAX_CLAIM_AMOUNT. */
export const CLAIM_AMOUNT_INPUT = { decimals: 2, integerDigits: 8 } as const;

/** How many decimals the currency's minor unit has (JPY 0, EUR 2, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency] ?? 2;
}

/**
 * The amount in minor units, or null when it has more decimals than the currency allows (12.345
 * EUR, 100.5 JPY), is negative, or is not a plain decimal. Trailing zeros are fine ("100.00" JPY
 * is 100 yen).
 */
export function toMinorUnits(amount: string | number, currency: string): number | null {
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const match = /^(\d{1,15})(?:\.(\d{1,20}))?$/.exec(text);
  if (!match) return null;
  const digits = minorUnitDigits(currency);
  let fraction = match[2] ?? '';
  while (fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  if (fraction.length > digits) return null;
  const minor = Number(match[1] + fraction.padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** A JSON number's decimal digits as written (1e-7 style included), without float arithmetic. */
export function numberText(amount: number): string {
  if (!Number.isFinite(amount)) return '';
  return amount.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * Minor units as the decimal string of the currency: 1234 EUR → "12.34", 5 KWD → "0.005", 1000 JPY → "1000". A sum
 * PostgreSQL answers may pass 2^53 (a bigint column's), so it is taken as a bigint too and written exactly.
 */
export function formatMinorUnits(minor: number | bigint, currency: string): string {
  return decimalText(minor, minorUnitDigits(currency));
}

/** A decimal string written with its currency's decimals: "123456.7" EUR → "123456.70", "5" KWD → "5.000"; as given if it has more. */
export function inCurrencyDecimals(amount: string, currency: string): string {
  const minor = toMinorUnits(amount, currency);
  return minor === null ? amount : formatMinorUnits(minor, currency);
}

/** An integer of units of 10^-digits as a decimal string with `digits` decimals. */
function decimalText(minor: number | bigint, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(minor < 0 ? -minor : minor).padStart(digits + 1, '0');
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * A claim's amounts as its run holds them: JSON numbers of at most CLAIM_AMOUNT_INPUT.decimals
 * decimals in any currency (the rows keep numeric(14,2); a currency with fewer is refused at the
 * API). The run adds, subtracts and compares them in those hundredths, never as binary floats:
 * 700 - 0.1 - 0.2 is 699.7, not 699.6999999999999. Rounding to the hundredth also takes the float
 * error off an amount a run added before it did so (it only ever adds such amounts).
 */
const CLAIM_AMOUNT_UNIT = 10 ** CLAIM_AMOUNT_INPUT.decimals;

/** A claim amount in hundredths: 699.7 → 69970, and 699.6999999999999 too. */
export const claimHundredths = (amount: number): number => Math.round(amount * CLAIM_AMOUNT_UNIT);

/** Hundredths as the number a run holds and sends: the double nearest the decimal (69970 → 699.7). */
export const fromClaimHundredths = (hundredths: number): number => hundredths / CLAIM_AMOUNT_UNIT;

/** The exact sum of claim amounts. */
export const sumClaimAmounts = (amounts: readonly number[]): number =>
  fromClaimHundredths(amounts.reduce((sum, amount) => sum + claimHundredths(amount), 0));

/** The exact difference of two claim amounts. */
export const claimAmountDifference = (minuend: number, subtrahend: number): number =>
  fromClaimHundredths(claimHundredths(minuend) - claimHundredths(subtrahend));

/** Negative, zero or positive as `a` is below, equal to or above `b`, to the hundredth. */
export const compareClaimAmounts = (a: number, b: number): number => claimHundredths(a) - claimHundredths(b);

/**
 * A row's cover and premium (a plan, a policy, a policy's terms) as answers write them, with the row's
 * currency's decimals: "30000" yen, "250.00" euros, a cover of "123456.789" dinars exactly.
 */
export function coverAndPremiumAsWritten<Row extends { coverageAmount: string; premium: string; currency: string | null }>(row: Row): Row {
  // A row read without its money (an `attributes` list) has none to write.
  if (row.coverageAmount === undefined || row.premium === undefined) return row;
  const currency = row.currency ?? undefined;
  return { ...row, coverageAmount: formatClaimAmount(row.coverageAmount, currency), premium: formatClaimAmount(row.premium, currency) };
}

/**
 * A claim amount as answers write it (docs/api.md, Money): a decimal string with its currency's
 * decimals, 1234.5 EUR "1234.50", 12000 JPY "12000", 1.25 KWD "1.250"; without a currency (an
 * authority limit counts every currency at face value) with the two the rows keep. An amount with
 * more decimals than its currency keeps its hundredths rather than lose them (the API takes none such).
 * A row's numeric column, as Sequelize reads it ("12000.00"), is written the same way as the run's number;
 * one with its currency's third decimal (a cover of "123456.789" KWD) is written exactly, not to the hundredth.
 */
export function formatClaimAmount(amount: number | string, currency?: string): string {
  if (typeof amount === 'string' && currency) {
    const minor = toMinorUnits(amount, currency);
    if (minor !== null) return formatMinorUnits(minor, currency);
  }
  const hundredths = claimHundredths(Number(amount));
  const digits = currency ? minorUnitDigits(currency) : CLAIM_AMOUNT_INPUT.decimals;
  const shift = 10 ** Math.abs(digits - CLAIM_AMOUNT_INPUT.decimals);
  if (digits >= CLAIM_AMOUNT_INPUT.decimals) return decimalText(hundredths * shift, digits);
  return hundredths % shift === 0 ? decimalText(hundredths / shift, digits) : decimalText(hundredths, CLAIM_AMOUNT_INPUT.decimals);
}
