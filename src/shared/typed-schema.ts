/**
 * Joi schemas whose validated value has a TypeScript type, so a route's handler reads its input
 * as the schema produces it and a schema change that breaks a handler fails to compile. The
 * schemas stay plain Joi (validation and the OpenAPI document read them as Joi); only their
 * static type says more:
 *
 * - each leaf carries its value type (Joi's own: `Joi.string()` is a string, `Joi.date()` a Date);
 *   `oneOf` narrows a string to its allowed values and `nullable` adds null;
 * - `object` makes a key optional unless it is `required` or `withDefault`, as Joi does, and
 *   refuses a key whose type would be `any`.
 */
import Joi from 'joi';
import { isCalendarDay } from './calendar-day';
import { numberText } from './money';

declare const ALWAYS_PRESENT: unique symbol;

/** A key the validated object always holds: required, or filled in by its default. */
type Present<S> = S & { readonly [ALWAYS_PRESENT]: true };

/** The type of the value a schema validates into (Joi keeps it in the Standard Schema slot). */
export type Output<S> = S extends { readonly '~standard': { readonly types?: { readonly output: infer T } } } ? T : never;

/**
 * Any Joi schema, described without its value type. As the parameter type of the builders it
 * leaves nothing to infer from for a schema written inline (`required(Joi.string())`), so Joi's
 * own default holds (a string); with `Joi.Schema` there, TypeScript would infer `any`.
 */
interface SchemaOfAnyValue {
  required(): unknown;
  allow(...values: unknown[]): unknown;
  default(value?: unknown): unknown;
}

export type KeySchemas = Record<string, SchemaOfAnyValue>;
type PresentKeys<K extends KeySchemas> = { [P in keyof K]: K[P] extends { readonly [ALWAYS_PRESENT]: true } ? P : never }[keyof K];

/** What `object(keys)` validates into: present keys as they are, the others optional. */
export type ObjectOutput<K extends KeySchemas> = {
  [P in PresentKeys<K>]: Output<K[P]>;
} & {
  [P in Exclude<keyof K, PresentKeys<K>>]?: Output<K[P]>;
};

/** Flattens an intersection into one object type, so editors and messages show plain fields. */
type Flat<T> = { [P in keyof T]: T[P] };

/**
 * The keys, with any whose value type is `any` turned into `never`, so it does not compile: a
 * schema Joi cannot type (`Joi.when`, `Joi.any()`) is annotated, e.g. `Joi.AlternativesSchema<number>`.
 */
type TypedKeys<K extends KeySchemas> = { [P in keyof K]: 0 extends 1 & Output<K[P]> ? never : K[P] };

export function object<K extends KeySchemas>(keys: K & TypedKeys<K>): Joi.ObjectSchema<Flat<ObjectOutput<K>>> {
  return Joi.object(keys);
}

export function required<S extends SchemaOfAnyValue>(schema: S): Present<S> {
  return schema.required() as Present<S>;
}

export function withDefault<S extends SchemaOfAnyValue>(schema: S, value: Output<S>): Present<S> {
  return schema.default(value) as Present<S>;
}

/** A string that must be one of `values`, typed as their union. */
export function oneOf<T extends string>(values: readonly T[]): Joi.StringSchema<T> {
  return Joi.string<T>().valid(...values);
}

/** The schema, also accepting null (and typed so); apply it last, as it keeps only the common schema methods. */
export function nullable<S extends SchemaOfAnyValue>(schema: S): Joi.AnySchema<Output<S> | null> {
  return schema.allow(null) as Joi.AnySchema<Output<S> | null>;
}

/**
 * An ISO 8601 date or date-time (`Joi.date().iso()`) whose day is in the calendar (`isCalendarDay`):
 * JavaScript reads 2026-02-30 as 2 March, so such a day was kept as another one (a payment recorded on
 * 2 March, a report run from it), and year 0000 or a year before it failed in PostgreSQL with 500. Written
 * with a four-digit year, as RFC 3339 (the OpenAPI document's date-time) has it: the expanded form
 * (+002026-02-30) went round the check. Refused as a malformed date is (`date.base`, 400).
 */
export function isoDate(): Joi.DateSchema {
  return Joi.date()
    .iso()
    .custom((value: Date, helpers) => {
      // A Date handed over by the code itself has no written day to check.
      if (typeof helpers.original !== 'string') return value;
      const written = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.exec(helpers.original);
      return written && isCalendarDay(written[0]) ? value : helpers.error('date.base');
    }, 'a day in the calendar');
}

/**
 * A day written YYYY-MM-DD that is in the calendar (`isCalendarDay`): no 2026-02-30, and no year 0000, which
 * JavaScript reads but PostgreSQL's dates do not have (a query with it failed with 500). Kept a string.
 */
export const calendarDay = Joi.string()
  .pattern(/^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$/)
  .custom((value: string, helpers) => (isCalendarDay(value) ? value : helpers.error('date.base')))
  .messages({ 'string.pattern.base': '{{#label}} must be a date YYYY-MM-DD', 'date.base': '{{#label}} must be a date that exists' })
  // Said as a date in the OpenAPI document too: a pattern alone promises 2026-13-45 is accepted.
  .meta({ swagger: { format: 'date' } })
  .description('YYYY-MM-DD');

/** The keys with those named made required (the others unchanged), for a create body built from an update's keys. */
export function requiring<K extends KeySchemas, R extends keyof K & string>(
  keys: K,
  names: readonly R[],
): Omit<K, R> & { [P in R]: Present<K[P]> } {
  const entries = Object.entries(keys).map(([key, schema]) => [key, names.includes(key as R) ? schema.required() : schema]);
  return Object.fromEntries(entries) as Omit<K, R> & { [P in R]: Present<K[P]> };
}

/** What a money input accepts besides its decimal string (docs/api.md, Money). */
export interface MoneyInputOptions {
  /** The most decimals the amount may have: its currency's (or, when the currency is a row's, what the rows keep). */
  decimals: number;
  /** The most digits before the point: bounds the amount (8 keeps a claim's under MAX_CLAIM_AMOUNT). */
  integerDigits: number;
  /** Whether 0 is an amount here (a reserve released, a limit of nothing); otherwise it must be more. */
  zero?: boolean;
}

/** The warning a money input given as a JSON number leaves on its validation result (docs/api.md, Money). */
export const MONEY_NUMBER_WARNING = 'money.number';

const MONEY_MESSAGES = {
  'money.base': '{{#label}} must be a decimal string such as "1100.00"',
  'money.length': '{{#label}} must be at most {{#limit}} characters',
  'money.negative': '{{#label}} must not be negative',
  'money.format': '{{#label}} must be digits with an optional decimal point, such as "1100.00": no sign, exponent, spaces or separators',
  'money.decimals': '{{#label}} must have at most {{#decimals}} decimals',
  'money.max': '{{#label}} must have at most {{#integerDigits}} digits before the decimal point',
  'money.zero': '{{#label}} must be more than 0',
  [MONEY_NUMBER_WARNING]: '{{#label}} is a JSON number: send the decimal string instead',
};

/** The OpenAPI document's view of a money input: the string with the pattern the check below applies, or the deprecated number. */
function moneyDocument({ decimals, integerDigits, zero }: MoneyInputOptions, numbers: boolean): Record<string, unknown> {
  // [0-9], not \d: a generator reading the pattern as Python does would take any script's digits for \d.
  // An amount read as a number may end in zeros beyond its decimals (the check below).
  const digits = decimals > 0 ? `[0-9]{1,${decimals}}${numbers ? '0*' : ''}` : numbers ? '0+' : '';
  const fraction = digits ? `(?:\\.${digits})?` : '';
  const text = {
    type: 'string',
    // The lookahead refuses the spellings of 0 where an amount must be more.
    pattern: `^${zero ? '' : '(?!0+(?:\\.0+)?$)'}[0-9]{1,${integerDigits}}${fraction}$`,
    maxLength: integerDigits + (decimals > 0 ? decimals + 1 : 0),
    example: (zero ? 0 : 1100).toFixed(decimals),
  };
  if (!numbers) return text;
  const step = 10 ** -decimals;
  const number = {
    type: 'number',
    deprecated: true,
    description: 'Deprecated: the same amount as a JSON number, answered with a Deprecation header',
    minimum: 0,
    ...(zero ? {} : { exclusiveMinimum: true }),
    maximum: Number((10 ** integerDigits - step).toFixed(decimals)),
    multipleOf: step,
  };
  return { oneOf: [text, number] };
}

/** How many of the decimals `fraction` (the digits after the point) are left once its trailing zeros are dropped. */
function significantDecimals(fraction: string): number {
  let end = fraction.length;
  while (end > 0 && fraction[end - 1] === '0') end -= 1;
  return end;
}

/**
 * A money input (docs/api.md, Money): a decimal string of digits with at most `decimals` decimals,
 * never negative, without exponent, spaces or separators, bounded in length. With `text`, the
 * validated value is that string as given (premium payments: their currency is the invoice's,
 * checked by the command) and a JSON number is refused; otherwise it is the amount as a number
 * (its few digits convert exactly) and a JSON number, the spelling these inputs took before, is
 * still accepted under the same rules with the MONEY_NUMBER_WARNING, which becomes the answer's
 * Deprecation header.
 */
export function moneyInput(options: MoneyInputOptions & { text: true }): Joi.AnySchema<string>;
export function moneyInput(options: MoneyInputOptions): Joi.AnySchema<number>;
export function moneyInput(options: MoneyInputOptions & { text?: boolean }): Joi.AnySchema<string | number> {
  const { decimals, integerDigits, zero = false, text: asText = false } = options;
  const limit = integerDigits + (decimals > 0 ? decimals + 1 : 0);
  return Joi.any()
    .custom((value: unknown, helpers) => {
      const isNumber = typeof value === 'number' && !asText;
      if (typeof value !== 'string' && !isNumber) return helpers.error('money.base');
      const text = isNumber ? numberText(value) : (value as string);
      if (text.length > limit) return helpers.error('money.length', { limit });
      if (/^-\d+(?:\.\d+)?$/.test(text)) return helpers.error('money.negative');
      const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
      if (!match) return helpers.error('money.format');
      // Read as a number, zeros after the last significant decimal change nothing: a 3-decimal currency's
      // amount answered "12.340" from a 2-decimal column (a plan's premium in dinars) is 12.34 sent back.
      const fraction = match[2] ?? '';
      if ((asText ? fraction.length : significantDecimals(fraction)) > decimals) return helpers.error('money.decimals', { decimals });
      if (match[1].length > integerDigits) return helpers.error('money.max', { integerDigits });
      if (!zero && /^[0.]+$/.test(text)) return helpers.error('money.zero');
      if (isNumber) helpers.warn(MONEY_NUMBER_WARNING);
      return asText ? text : Number(text);
    })
    .messages(MONEY_MESSAGES)
    .meta({ swagger: moneyDocument(options, !asText) }) as Joi.AnySchema<string | number>;
}
