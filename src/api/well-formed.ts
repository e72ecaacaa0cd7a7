/**
 * Every string that enters through the API must be well-formed UTF-16 without NUL: a lone
 * surrogate crashes or corrupts native libraries and PostgreSQL refuses NUL in text. Checked once,
 * for every route, before the route's own schema (which never sees such a string).
 */
import type { ErrorDetail } from './errors';

const NUL = '\u0000';
/** In a `u` regular expression a valid surrogate pair is one code point: only lone halves match. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function problemWith(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed text (no lone UTF-16 surrogates)';
  if (value.includes(NUL)) return 'must not contain NUL characters';
  return undefined;
}

/** Details naming each malformed string (or object key) under `path`, e.g. `body.password`. */
export function malformedStrings(value: unknown, path: string): ErrorDetail[] {
  if (typeof value === 'string') {
    const message = problemWith(value);
    return message ? [{ field: path, message: `${path} ${message}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => malformedStrings(item, `${path}.${index}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const keyProblem = problemWith(key);
      if (keyProblem) return [{ field: path, message: `a field name under ${path} ${keyProblem}` }];
      return malformedStrings(item, `${path}.${key}`);
    });
  }
  return [];
}
