/**
 * Every string that enters through the API must be well-formed UTF-16 without NUL: a lone
 * surrogate crashes or corrupts native libraries and PostgreSQL refuses NUL in text. Checked once,
 * for every route, before the route's own schema (which never sees such a string). Input nested
 * deeper than any route accepts is refused too, before anything walks it recursively.
 */
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

/** An object being read by repeatedKey: the keys it named so far, and where it sits. */
interface OpenValue {
  parent: OpenValue | undefined;
  /** Its name in its parent: a key, or an index in an array. */
  name: string;
  /** Null for an array. */
  keys: Set<string> | null;
  /** The key or index the next value is under. */
  current: string;
  expectsKey: boolean;
}

function pathOf(value: OpenValue, key: string): string {
  const names = [key];
  for (let at: OpenValue | undefined = value; at?.parent; at = at.parent) names.unshift(at.name);
  return names.join('.');
}

/**
 * The path (`items.0.name`) of the first key an object of this JSON text names twice, or null.
 * JSON.parse keeps the last of them silently, so `{"role":"agent","role":"admin"}` would mean
 * one thing to a proxy or log that reads the first and another to the API: refused instead. The
 * text must be JSON already parsed; a key is compared as decoded (`"a"` and `"\u0061"` are one).
 * A loop, not a parser's recursive visitor (jsonc-parser's was tried): JSON.parse reads 200,000 nested
 * brackets, which such a visitor answers with a stack overflow, a 500 before the depth check's 400.
 */
export function repeatedKey(text: string): string | null {
  let open: OpenValue | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (open?.keys && open.expectsKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (open.keys.has(key)) return pathOf(open, key);
        open.keys.add(key);
        open.current = key;
        open.expectsKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      open = { parent: open, name: open?.current ?? '', keys: char === '{' ? new Set() : null, current: '0', expectsKey: true };
    } else if (char === '}' || char === ']') {
      open = open?.parent;
    } else if (char === ',' && open) {
      if (open.keys) open.expectsKey = true;
      else open.current = String(Number(open.current) + 1);
    }
  }
  return null;
}
