/**
 * The one money input (docs/api.md, Money): a decimal string is the spelling, a JSON number still
 * passes where inputs took one before, with a warning the answer turns into a Deprecation header;
 * anything else is refused with a message naming the rule.
 */
import { getNamedType, isInputObjectType } from 'graphql';
import Joi from 'joi';
import { schema as graphqlSchema } from '../../../src/api/graphql/schema';
import { buildOpenApi } from '../../../src/api/openapi/document';
import { allRoutes } from '../../../src/api/routes';
import { MONEY_NUMBER_WARNING, moneyInput, object } from '../../../src/shared/typed-schema';
import { testConfig } from '../../support/config';

const PREFS: Joi.ValidationOptions = { abortEarly: false, convert: true, errors: { wrap: { label: false } } };
const claimAmount = object({ amount: moneyInput({ decimals: 2, integerDigits: 8 }) }).prefs(PREFS);
const reserve = object({ amount: moneyInput({ decimals: 2, integerDigits: 8, zero: true }) }).prefs(PREFS);
const paymentText = object({ amount: moneyInput({ decimals: 3, integerDigits: 15, text: true }) }).prefs(PREFS);

const messageOf = (schema: Joi.Schema, amount: unknown) => schema.validate({ amount }).error?.details.map((d) => d.message);

describe('money input', () => {
  it('takes a decimal string as the amount it writes, without a warning', () => {
    expect(claimAmount.validate({ amount: '0.10' })).toEqual({ value: { amount: 0.1 } });
    expect(claimAmount.validate({ amount: '99999999.99' }).value).toEqual({ amount: 99999999.99 });
    expect(paymentText.validate({ amount: '123456789012345.678' })).toEqual({ value: { amount: '123456789012345.678' } });
  });

  it('still takes a JSON number under the same rules, with the deprecation warning', () => {
    const { value, error, warning } = claimAmount.validate({ amount: 12.5 });
    expect(error).toBeUndefined();
    expect(value).toEqual({ amount: 12.5 });
    expect(warning?.details.map((d) => d.type)).toEqual([MONEY_NUMBER_WARNING]);
    expect(messageOf(claimAmount, 12.345)).toEqual(['amount must have at most 2 decimals']);
    expect(messageOf(claimAmount, -1)).toEqual(['amount must not be negative']);
  });

  it('refuses a number where the input never took one', () => {
    expect(messageOf(paymentText, 10)).toEqual(['amount must be a decimal string such as "1100.00"']);
  });

  it.each([
    ['12.345', 'amount must have at most 2 decimals'],
    ['-5.00', 'amount must not be negative'],
    ['1e3', 'amount must be digits with an optional decimal point, such as "1100.00": no sign, exponent, spaces or separators'],
    [' 12.00', 'amount must be digits with an optional decimal point, such as "1100.00": no sign, exponent, spaces or separators'],
    ['1,000.00', 'amount must be digits with an optional decimal point, such as "1100.00": no sign, exponent, spaces or separators'],
    ['.5', 'amount must be digits with an optional decimal point, such as "1100.00": no sign, exponent, spaces or separators'],
    ['123456789', 'amount must have at most 8 digits before the decimal point'],
    ['1'.repeat(1000), 'amount must be at most 11 characters'],
    ['0.00', 'amount must be more than 0'],
    [true, 'amount must be a decimal string such as "1100.00"'],
  ])('refuses %#: %s', (amount, message) => {
    expect(messageOf(claimAmount, amount)).toEqual([message]);
  });

  it('takes a number-read amount ending in zeros beyond its decimals as the same amount (a dinar plan answered "12.340")', () => {
    expect(claimAmount.validate({ amount: '12.340' })).toEqual({ value: { amount: 12.34 } });
    expect(messageOf(claimAmount, '12.341')).toEqual(['amount must have at most 2 decimals']);
  });

  it('takes 0 where the input allows it', () => {
    expect(reserve.validate({ amount: '0' })).toEqual({ value: { amount: 0 } });
  });

  it('is documented as the string with its pattern, the number deprecated, and the pattern agrees with the check', () => {
    const described = (moneyInput({ decimals: 2, integerDigits: 8 }).describe().metas as Array<{ swagger: { oneOf: unknown[] } }>)[0];
    const [text, number] = described.swagger.oneOf as Array<Record<string, unknown>>;
    expect(number).toMatchObject({ type: 'number', deprecated: true, maximum: 99999999.99, exclusiveMinimum: true });
    const pattern = new RegExp(text.pattern as string);
    // '١٢' is 12 in Arabic-Indic digits: Python's \d (a contract check's generator) would take it.
    for (const sample of [
      '0.10',
      '1100.00',
      '99999999.99',
      '0.00',
      '12.345',
      '12.340',
      '12.3400',
      '12.3401',
      '1.',
      '-1',
      '1e3',
      ' 1',
      '123456789',
      '١٢',
    ])
      expect([sample, pattern.test(sample)]).toEqual([sample, messageOf(claimAmount, sample) === undefined]);
  });
});

interface Operation {
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  parameters: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
}

/** The names money inputs go by: amounts, premiums, cover, limits, authorities and thresholds (not counts of days, nor switches). */
const MONEY_NAME = /^(?!collect)\w*(amount|premium|limit[A-Z]|authority|threshold)(?!\w*(Days|Hours|Max))/i;

describe('every money input is the one money input', () => {
  const document = buildOpenApi(allRoutes(testConfig({ databaseUrl: 'postgres://unused@127.0.0.1/unused' })), 'test');

  /** Each request property (body, at any depth, and query) named like money, with its schema in the document. */
  function moneyProperties(): Array<[string, Record<string, unknown>]> {
    const found: Array<[string, Record<string, unknown>]> = [];
    const walk = (where: string, node: Record<string, unknown> | undefined) => {
      for (const [key, value] of Object.entries((node?.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (MONEY_NAME.test(key)) found.push([`${where}.${key}`, value]);
        walk(`${where}.${key}`, value);
      }
    };
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods as Record<string, Operation>)) {
        const where = `${method.toUpperCase()} ${path}`;
        walk(where, operation.requestBody?.content['application/json'].schema);
        for (const parameter of operation.parameters)
          if (parameter.in === 'query' && MONEY_NAME.test(parameter.name)) found.push([`${where} ?${parameter.name}`, parameter.schema]);
      }
    return found;
  }

  it('is documented as a decimal string with its pattern (a number, where one was taken, deprecated)', () => {
    const properties = moneyProperties();
    // Claims, reserves, recoveries, claim payments, plans, premium payments, tenant settings' limits.
    expect(properties.length).toBeGreaterThanOrEqual(15);
    for (const [where, property] of properties) {
      const [text, number] = (property.oneOf as Array<Record<string, unknown>> | undefined) ?? [property];
      expect([where, text.type, typeof text.pattern, text.example]).toEqual([where, 'string', 'string', expect.any(String)]);
      expect([where, new RegExp(text.pattern as string).test(text.example as string)]).toEqual([where, true]);
      if (number) expect([where, number.deprecated]).toEqual([where, true]);
    }
  });

  it('is a Money argument or input field in GraphQL', () => {
    const found: string[] = [];
    const fields = { ...graphqlSchema.getQueryType()!.getFields(), ...graphqlSchema.getMutationType()!.getFields() };
    for (const [name, field] of Object.entries(fields))
      for (const arg of field.args) {
        const type = getNamedType(arg.type);
        if (MONEY_NAME.test(arg.name)) found.push(`${name}(${arg.name}: ${type.name})`);
        if (isInputObjectType(type))
          for (const [key, input] of Object.entries(type.getFields()))
            if (MONEY_NAME.test(key)) found.push(`${name}(${arg.name}.${key}: ${getNamedType(input.type).name})`);
      }
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const entry of found) expect(entry).toMatch(/: (Money|String)\)$/);
  });
});
