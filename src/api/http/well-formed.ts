/**
 * Every string that enters through the API must be well-formed UTF-16 without NUL: a lone
 * surrogate crashes or corrupts native libraries and PostgreSQL refuses NUL in text. Checked once,
 * for every route, before the route's own schema (which never sees such a string). Input nested
 * deeper than any route accepts is refused too, before anything walks it recursively.
 */
import { visit } from 'jsonc-parser';
import type { ErrorDetail } from '../../shared/errors';

const NUL = '\u0000';
/** Far deeper than any request body of the API; a megabyte of `[` would otherwise exhaust the stack. */
const MAX_DEPTH = 32;
/** In a `u` regular expression a valid surrogate pair is one code point: only lone halves match. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function problemWith(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed text (no lone UTF-16 surrogates)';
  if (value.includes(NUL)) return 'must not contain NUL characters';
  return undefined;
}

/** Details naming each malformed string (or object key) under `path`, e.g. `body.password`. */
export function malformedStrings(value: unknown, path: string, depth = 0): ErrorDetail[] {
  if (depth > MAX_DEPTH) return [{ field: path, message: `${path} is nested more than ${MAX_DEPTH} levels deep` }];
  if (typeof value === 'string') {
    const message = problemWith(value);
    return message ? [{ field: path, message: `${path} ${message}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => malformedStrings(item, `${path}.${index}`, depth + 1));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const keyProblem = problemWith(key);
      if (keyProblem) return [{ field: path, message: `a field name under ${path} ${keyProblem}` }];
      return malformedStrings(item, `${path}.${key}`, depth + 1);
    });
  }
  return [];
}

/**
 * The path (`items.0.name`) of the first key an object of this JSON text names twice, or null.
 * JSON.parse keeps the last of them silently, so `{"role":"agent","role":"admin"}` would mean
 * one thing to a proxy or log that reads the first and another to the API: refused instead. The
 * text must be JSON already parsed; a key is compared as decoded (`"a"` and `"\u0061"` are one).
 */
export function repeatedKey(text: string): string | null {
  const open: Set<string>[] = [];
  let repeated: string | null = null;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (key, _offset, _length, _line, _column, pathOfObject) => {
      const keys = open[open.length - 1];
      if (repeated === null && keys.has(key)) repeated = [...pathOfObject(), key].join('.');
      keys.add(key);
    },
  });
  return repeated;
}
