/** The code-first schema builder every resource's schema module adds its types and fields to. */
import SchemaBuilder from '@pothos/core';
import { GraphQLError } from 'graphql';
import { isoDate } from '../../shared/typed-schema';
import type { GraphQLContext } from './context';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: { DateTime: { Input: Date; Output: Date }; Money: { Input: string | number; Output: string } };
  // A field is non-null unless it says otherwise: a row the caller may not see is null only where the schema says so.
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

/** The builder's types, for helpers that take its refs. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/** An instant as RFC 3339 writes one: a four-digit year, the time and its zone (`Z` or `+hh:mm`). */
const INSTANT_TEXT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;
/** REST's check of a day against the calendar; an instant here is after 1900 (year 1 is a typo or a probe). */
const INSTANT = isoDate().min('1900-01-01T00:00:00Z');

builder.scalarType('DateTime', {
  description: 'An instant, as an RFC 3339 string with its zone, e.g. "2026-02-28T09:30:00Z"; answered in UTC',
  serialize: (value) => value.toISOString(),
  // Not `new Date(value)`: it reads 2026-02-30 as 2 March, a number or "5" as a year and a string
  // without a zone in the server's local time.
  parseValue: (value) => {
    const checked = typeof value === 'string' && INSTANT_TEXT.test(value) ? INSTANT.validate(value) : undefined;
    if (checked && !checked.error) return checked.value as Date;
    throw new GraphQLError(
      'DateTime must be an RFC 3339 instant with its zone on a day in the calendar, after 1900, e.g. "2026-02-28T09:30:00Z"',
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  },
});

/**
 * An amount of money as a decimal string (docs/api.md, Money). A JSON number still passes here for
 * the inputs that took Float before, deprecated; the REST route's schema then checks either one
 * (src/api/graphql/input.ts) and a number marks the answer with a Deprecation header.
 */
builder.scalarType('Money', {
  description: 'An amount as a decimal string with at most the currency\'s decimals, e.g. "1100.00" (a number is deprecated)',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value === 'string' || typeof value === 'number') return value;
    throw new TypeError('Money must be a decimal string such as "1100.00"');
  },
});

builder.queryType({});
builder.mutationType({});
