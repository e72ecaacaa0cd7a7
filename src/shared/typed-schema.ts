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

/** The keys with those named made required (the others unchanged), for a create body built from an update's keys. */
export function requiring<K extends KeySchemas, R extends keyof K & string>(
  keys: K,
  names: readonly R[],
): Omit<K, R> & { [P in R]: Present<K[P]> } {
  const entries = Object.entries(keys).map(([key, schema]) => [key, names.includes(key as R) ? schema.required() : schema]);
  return Object.fromEntries(entries) as Omit<K, R> & { [P in R]: Present<K[P]> };
}
