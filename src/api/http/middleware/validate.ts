import type Joi from 'joi';
import type { Middleware } from 'koa';
import { fieldDetails, validationFailed, ErrorDetail } from '../../../shared/errors';
import type { DeclaredRoute } from '../route';
import { noteDeprecatedSpelling } from '../deprecation';
import { malformedStrings } from '../well-formed';
import { MESSAGES_WITHOUT_VALUES } from '../../../shared/validation-messages';

const MAX_REPORTED_MALFORMED = 20;
/** How every request schema is applied (the GraphQL resolvers apply them the same way, through `validating`). */
const VALIDATION_OPTIONS: Joi.ValidationOptions = {
  abortEarly: false,
  allowUnknown: false,
  convert: true,
  errors: { wrap: { label: false } },
  messages: MESSAGES_WITHOUT_VALUES,
};

const withOptions = new WeakMap<Joi.Schema, Joi.Schema>();

/**
 * The schema with VALIDATION_OPTIONS as its own preferences, made once per schema. Options handed
 * to `validate()` are merged and their messages compiled (templates parsed) on every call, a
 * schema's own preferences once (docs/performance.md, Lists: "What keeps a list request cheap").
 */
export function validating<S extends Joi.Schema>(schema: S): S {
  let prepared = withOptions.get(schema);
  if (!prepared) withOptions.set(schema, (prepared = schema.prefs(VALIDATION_OPTIONS)));
  return prepared as S;
}

/** What each schema makes of `{}`, worked out on the first request without input (null: it must be validated every time). */
const emptyInputValues = new WeakMap<Joi.Schema, Readonly<Record<string, unknown>> | null>();

const isPlainValue = (value: unknown) => value === null || (typeof value !== 'object' && typeof value !== 'function');

/**
 * A fresh copy of what `schema` makes of an empty object (a list's defaults: page 1, 20 a page, its
 * order), validated once per schema: Joi walked every key of the schema again on each request
 * without a query string (9 KiB and 1.4 % of the API's CPU on GET /claims, docs/performance.md,
 * Lists). Undefined when the schema refuses `{}` or warns (the real validation answers, with its
 * 4xx), or a default is an object or array (a copy would share it between requests).
 */
function emptyInputValue(schema: Joi.Schema): Record<string, unknown> | undefined {
  let known = emptyInputValues.get(schema);
  if (known === undefined) {
    const { value, error, warning } = validating(schema).validate({});
    const plain = !error && !warning && value && typeof value === 'object' && Object.values(value).every(isPlainValue);
    emptyInputValues.set(schema, (known = plain ? Object.freeze({ ...(value as Record<string, unknown>) }) : null));
  }
  return known ? { ...known } : undefined;
}

const isEmptyObject = (raw: unknown) => typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 0;

/**
 * The route's own request headers (`Prefer`…) longer than their documented `maxLength`: their
 * parsing stays in the handler, but their bound is the document's promise like any field's.
 */
function overlongHeaders(spec: Pick<DeclaredRoute, 'headers'>, get: (name: string) => string): ErrorDetail[] {
  return (spec.headers ?? []).flatMap(({ name, schema }) => {
    const { maxLength } = schema as { maxLength?: number };
    return maxLength !== undefined && get(name).length > maxLength
      ? [{ field: `headers.${name}`, message: `${name} must be at most ${maxLength} characters` }]
      : [];
  });
}

/**
 * Validates params, query and body against the route's schemas; unknown fields are rejected.
 * Malformed text anywhere in them is refused first, whatever the route's schema says.
 */
export function validate(spec: Pick<DeclaredRoute, 'params' | 'query' | 'body' | 'headers'>): Middleware {
  return (ctx, next) => {
    const details: ErrorDetail[] = overlongHeaders(spec, (name) => ctx.get(name));
    const input: Record<string, unknown> = {};
    const parts = [
      ['params', spec.params, ctx.params ?? {}],
      ['query', spec.query, ctx.query],
      ['body', spec.body, ctx.request.body ?? {}],
    ] as const;
    const malformed = parts.flatMap(([part, , raw]) => malformedStrings(raw, part));
    // A few names are enough to fix a request; a huge list would only make a huge answer.
    if (malformed.length) throw validationFailed(malformed.slice(0, MAX_REPORTED_MALFORMED));
    for (const [part, schema, raw] of parts) {
      if (!schema) {
        const isEmpty = raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0);
        if (part !== 'params' && !isEmpty) details.push({ field: part, message: `${part} is not accepted here` });
        input[part] = raw;
        continue;
      }
      const known = isEmptyObject(raw) ? emptyInputValue(schema) : undefined;
      if (known) {
        input[part] = known;
        continue;
      }
      const { value, error, warning } = validating(schema).validate(raw);
      if (error) details.push(...fieldDetails(error, part));
      noteDeprecatedSpelling(warning);
      input[part] = value;
    }
    if (details.length) throw validationFailed(details);
    ctx.state.input = input;
    return next();
  };
}
