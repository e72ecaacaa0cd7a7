/** The code-first schema builder every resource's schema module adds its types and fields to. */
import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: { DateTime: { Input: Date; Output: Date }; Money: { Input: string | number; Output: string } };
  // A field is non-null unless it says otherwise: a row the caller may not see is null only where the schema says so.
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

/** The builder's types, for helpers that take its refs. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 date');
    return date;
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
