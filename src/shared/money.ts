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

/** The largest claim amount kept (a reserve line, a recovery, a payment): eight digits before the point, three after. */
export const MAX_CLAIM_AMOUNT = 99_999_999.999;

/**
 * A claim amount as a request gives it (`moneyInput`): at most three decimals, the most a currency has and what the
 * rows keep since migration 0115, and at most MAX_CLAIM_AMOUNT. The claim's currency may have fewer: its command
 * refuses the rest (422, `assertAmountInCurrency`), as "1000.5" yen.
 */
export const CLAIM_AMOUNT_INPUT = { decimals: 3, integerDigits: 8 } as const;

/** An authority limit (tenant settings): claim money of every currency counted at face value, so two decimals. */
export const AUTHORITY_LIMIT_INPUT = { decimals: 2, integerDigits: 8 } as const;

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
 * decimals in any currency (a currency with fewer is refused at the API). The run adds, subtracts
 * and compares them in those thousandths, never as binary floats: 700 - 0.1 - 0.2 is 699.7, not
 * 699.6999999999999. Rounding to the thousandth also takes the float error off an amount a run
 * added before it did so (it only ever adds such amounts). Runs recorded when this counted in
 * hundredths replay alike: their amounts have two decimals, and n/100 and 10n/1000 are one double.
 */
const CLAIM_AMOUNT_UNIT = 10 ** CLAIM_AMOUNT_INPUT.decimals;

/** A claim amount in thousandths: 699.7 → 699700, and 699.6999999999999 too. */
export const claimThousandths = (amount: number): number => Math.round(amount * CLAIM_AMOUNT_UNIT);

/** Thousandths as the number a run holds and sends: the double nearest the decimal (699700 → 699.7). */
export const fromClaimThousandths = (thousandths: number): number => thousandths / CLAIM_AMOUNT_UNIT;

/** The exact sum of claim amounts. */
export const sumClaimAmounts = (amounts: readonly number[]): number =>
  fromClaimThousandths(amounts.reduce((sum, amount) => sum + claimThousandths(amount), 0));

/** The exact difference of two claim amounts. */
export const claimAmountDifference = (minuend: number, subtrahend: number): number =>
  fromClaimThousandths(claimThousandths(minuend) - claimThousandths(subtrahend));

/** Negative, zero or positive as `a` is below, equal to or above `b`, to the thousandth. */
export const compareClaimAmounts = (a: number, b: number): number => claimThousandths(a) - claimThousandths(b);

/**
 * A claim amount as its row keeps it (numeric, at most three decimals: migration 0115): to the thousandth, with two
 * decimals unless it has a third, as the rows were written before ("6000.00", "699.70", "1.255"). A number a run
 * added in floats (699.6999999999999) is written as the amount it stands for.
 */
export function claimAmountText(amount: number): string {
  const thousandths = claimThousandths(amount);
  return thousandths % 10 === 0 ? decimalText(thousandths / 10, 2) : decimalText(thousandths, 3);
}

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
 * decimals, 1234.5 EUR "1234.50", 12000 JPY "12000", 1.25 KWD "1.250", 1.255 KWD "1.255"; without a
 * currency (an authority limit counts every currency at face value) with two. An amount with more
 * decimals than its currency keeps them rather than lose them, as its row does (`claimAmountText`; the
 * API takes none such). A row's numeric column, as Sequelize reads it ("12000.00"), is written the same
 * way as the run's number; one with its currency's third decimal ("123456.789" KWD) is written exactly.
 */
export function formatClaimAmount(amount: number | string, currency?: string): string {
  if (typeof amount === 'string' && currency) {
    const minor = toMinorUnits(amount, currency);
    if (minor !== null) return formatMinorUnits(minor, currency);
  }
  const digits = currency ? minorUnitDigits(currency) : AUTHORITY_LIMIT_INPUT.decimals;
  const minor = claimThousandths(Number(amount)) / 10 ** (CLAIM_AMOUNT_INPUT.decimals - digits);
  return Number.isInteger(minor) ? decimalText(minor, digits) : claimAmountText(Number(amount));
}
