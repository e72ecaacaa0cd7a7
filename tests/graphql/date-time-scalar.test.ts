/**
 * The DateTime scalar reads an instant as REST's isoDate does, never as `new Date(value)` would:
 * that read 2026-02-30 as 2 March, 5 as the year 2005 and a time without a zone in the server's
 * own. No argument takes a DateTime today (dates are String arguments checked by REST's schemas),
 * so the scalar is tested on the schema the API serves, as a variable and as a literal.
 */
import { execute, GraphQLScalarType, parse, parseConstValue } from 'graphql';
import { schema } from '../../src/api/graphql/schema';

const scalar = schema.getType('DateTime') as GraphQLScalarType;

const REFUSED: Array<[string, unknown]> = [
  ['a day not in the calendar', '2026-02-30T00:00:00Z'],
  ['the 31st of a 30-day month', '2026-04-31T10:00:00+02:00'],
  ['year 1', '0001-01-01T00:00:00Z'],
  ['the last instant JavaScript holds', '+275760-09-13T00:00:00Z'],
  ['a six-digit year without a sign', '275760-09-13T00:00:00Z'],
  ['a signed year on a day not in the calendar', '+002026-02-30T00:00:00Z'],
  ['a time without a zone', '2026-02-01T10:00:00'],
  ['a day without a time', '2026-02-01'],
  ['a number', 5],
  ['a number as text', '5'],
  ['an epoch in milliseconds', 1_780_000_000_000],
  ['the 25th hour', '2026-02-01T25:00:00Z'],
];

it.each(REFUSED)('refuses %s (%j) with BAD_USER_INPUT, as a variable and as a literal', (_what, value) => {
  expect(() => scalar.parseValue(value)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
  expect(() => scalar.parseLiteral(parseConstValue(JSON.stringify(value)), undefined)).toThrow(/DateTime must be an RFC 3339 instant/);
});

it('reads an instant with its zone, on a day in the calendar, as that instant', () => {
  expect(scalar.parseValue('2026-02-28T09:30:00Z')).toEqual(new Date('2026-02-28T09:30:00.000Z'));
  expect(scalar.parseValue('2028-02-29T23:30:00.250-01:00')).toEqual(new Date('2028-03-01T00:30:00.250Z'));
  expect(scalar.serialize(new Date('2026-02-28T09:30:00Z'))).toBe('2026-02-28T09:30:00.000Z');
});

it('tells the caller which variable is wrong and runs nothing', async () => {
  const result = await execute({
    schema,
    document: parse('query ($at: DateTime!) { __typename }'),
    variableValues: { at: '2026-02-30T00:00:00Z' },
  });
  expect(result.data).toBeUndefined();
  expect(result.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
    {
      message: expect.stringMatching(/^Variable "\$at" has invalid value: DateTime must be an RFC 3339 instant/),
      extensions: { code: 'BAD_USER_INPUT' },
    },
  ]);
});
