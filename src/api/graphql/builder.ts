/** The code-first schema builder every resource's schema module adds its types and fields to. */
import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: { DateTime: { Input: Date; Output: Date } };
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

builder.queryType({});
builder.mutationType({});
