/**
 * Arguments checked by the REST route's own Joi schema, applied the same way (malformed text first,
 * unknown fields refused, bounded strings): one rule for both transports, and a refusal is
 * BAD_USER_INPUT with the fields named.
 */
import type Joi from 'joi';
import { fieldDetails, validationFailed } from '../../shared/errors';
import type { Output } from '../../shared/typed-schema';
import { noteDeprecatedSpelling } from '../http/deprecation';
import { validating } from '../http/middleware/validate';
import { malformedStrings } from '../http/well-formed';

/** Drops the keys GraphQL reports as null for an omitted optional argument, as a JSON body would omit them. */
function withoutNulls(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null && value !== undefined));
}

export function validInput<S extends Joi.Schema>(schema: S, raw: Record<string, unknown>): Output<S> {
  const present = withoutNulls(raw);
  const malformed = malformedStrings(present, 'input');
  if (malformed.length) throw validationFailed(malformed);
  const { value, error, warning } = validating(schema).validate(present);
  if (error) throw validationFailed(fieldDetails(error, 'input'));
  noteDeprecatedSpelling(warning);
  return value as Output<S>;
}
