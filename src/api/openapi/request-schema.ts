/**
 * The JSON Schema of a request's Joi schema for the OpenAPI document. joi-to-swagger draws the
 * shape; the rules it leaves out or states wrongly are added here, so that a request the document
 * calls valid is one the API accepts: non-empty (and, when trimmed, non-blank and still as long as their minimum) strings without NUL (refused everywhere, see
 * well-formed.ts), every pattern (not only the first), the uuid version, base64, URL schemes, a
 * positive number above 0 (not 1), decimal places, multiples, the safe-number range,
 * minProperties on objects, the unknown keys of an open object (NUL-free, like every string) and
 * null in the enum of a nullable choice.
 */
import type Joi from 'joi';
import j2s from 'joi-to-swagger';

type JsonSchema = Record<string, unknown>;

interface Rule {
  name: string;
  args?: Record<string, unknown>;
}

/** The parts of a Joi schema object this module reads (Joi keeps them on every schema; its types declare only some). */
interface JoiInternals {
  type: string;
  _rules: Rule[];
  _flags: Record<string, unknown>;
  _valids: { has(value: unknown): boolean } | null;
  _preferences: { convert?: boolean } | null;
  $_terms: {
    keys?: Array<{ key: string; schema: Joi.Schema }> | null;
    items?: Joi.Schema[];
    whens?: Array<{ then?: Joi.Schema; otherwise?: Joi.Schema }> | null;
  };
}

const UUID_V4 = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';
/** Joi's base64 with padding required: whole groups of four. */
const BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';
/** After the scheme: a host name of DNS labels, an optional port, then only characters RFC 3986 allows unescaped. */
const URL_REST = "[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9._~:/?#@!$&'()*+,;=-]*)?$";
const WITHOUT_NUL = '^[^\\u0000]*$';
/** How deep the document spells out a value a schema leaves open; below that it lists null, strings, numbers and booleans only. */
const OPEN_VALUE_DEPTH = 2;

/**
 * Any JSON value, as the API takes it where a schema leaves the value open (unknown keys): its
 * strings and object keys without NUL, like every string of a request.
 */
function openValue(depth = OPEN_VALUE_DEPTH): JsonSchema {
  const leaves = [{ type: 'string', pattern: WITHOUT_NUL }, { type: 'number' }, { type: 'boolean' }];
  if (depth === 0) return { nullable: true, anyOf: leaves };
  const inner = openValue(depth - 1);
  return { nullable: true, anyOf: [...leaves, { type: 'array', items: inner }, { type: 'object', ...openKeys(inner) }] };
}

/** An object's unknown keys, without NUL, each holding `value`. */
const openKeys = (value: JsonSchema): JsonSchema => ({ propertyNames: { pattern: WITHOUT_NUL }, additionalProperties: value });

/** One character that String.prototype.trim (Joi's trim) keeps: a trimmed string is not blank. */
const NOT_BLANK = '[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

/**
 * A string whose trimmed form is at least `min` characters long: Joi trims before it counts, so
 * `min` alone (minLength) would let blanks at either end make up the length. The trimmed string
 * runs from its first kept character to its last.
 */
function trimmedAtLeast(min: unknown): string {
  if (typeof min !== 'number' || min < 2) return NOT_BLANK;
  return `${NOT_BLANK}[\\s\\S]{${min - 2},}${NOT_BLANK}`;
}

function rulesNamed(schema: JoiInternals, name: string): Rule[] {
  return schema._rules.filter((rule) => rule.name === name);
}

function tightenString(schema: JoiInternals, node: JsonSchema): void {
  const patterns = rulesNamed(schema, 'pattern')
    .filter((rule) => !(rule.args?.options as { invert?: boolean } | undefined)?.invert)
    .map((rule) => (rule.args?.regex as RegExp).source);
  const [version] = ([] as unknown[]).concat(
    (rulesNamed(schema, 'guid')[0]?.args?.options as { version?: unknown } | undefined)?.version ?? [],
  );
  if (version === 'uuidv4') patterns.unshift(UUID_V4);
  if (rulesNamed(schema, 'base64').length) {
    node.format = 'byte';
    patterns.unshift(BASE64);
  }
  const schemes = ([] as unknown[]).concat((rulesNamed(schema, 'uri')[0]?.args?.options as { scheme?: unknown } | undefined)?.scheme ?? []);
  if (schemes.length) patterns.push(`^(?:${schemes.join('|')})://${URL_REST}`);
  if (!version && !schemes.length) patterns.push(WITHOUT_NUL);
  const empty = schema._valids?.has('') ?? false;
  if (!empty && rulesNamed(schema, 'trim').length) patterns.push(trimmedAtLeast(rulesNamed(schema, 'min')[0]?.args?.limit));
  node.pattern = patterns[0];
  if (patterns.length > 1) node.allOf = patterns.slice(1).map((pattern) => ({ pattern }));
  if (!empty && node.minLength === undefined && node.enum === undefined) node.minLength = 1;
}

function tightenNumber(schema: JoiInternals, node: JsonSchema): void {
  const sign = rulesNamed(schema, 'sign')[0]?.args?.sign;
  // A limit that refers to another field (Joi.ref) cannot be stated; the sign still applies.
  const hasMin = rulesNamed(schema, 'min').some((rule) => typeof rule.args?.limit === 'number');
  const hasMax = rulesNamed(schema, 'max').length > 0;
  const places = rulesNamed(schema, 'precision')[0]?.args?.limit;
  // With conversion on, Joi rounds extra decimals (half up) before its other rules, instead of
  // refusing them: a positive amount is then one that does not round to 0.
  const rounds = typeof places === 'number' && schema._preferences?.convert !== false;
  if (sign === 'positive' && !hasMin)
    Object.assign(node, rounds ? { minimum: 0.5 * 10 ** -places } : { minimum: 0, exclusiveMinimum: true });
  if (sign === 'negative' && !hasMax) Object.assign(node, { maximum: 0, exclusiveMaximum: true });
  node.minimum ??= Number.MIN_SAFE_INTEGER;
  node.maximum ??= Number.MAX_SAFE_INTEGER;
  const multiple = rulesNamed(schema, 'multiple')[0]?.args?.base;
  if (typeof multiple === 'number') node.multipleOf = multiple;
  if (typeof places === 'number' && !rounds) node.multipleOf = 10 ** -places;
}

function tighten(joiSchema: Joi.Schema | undefined, node: unknown): void {
  if (!joiSchema || !node || typeof node !== 'object') return;
  const schema = joiSchema as Joi.Schema & JoiInternals;
  const json = node as JsonSchema;
  // OpenAPI 3.0 reads `nullable` as adding null to the type, not to an enum: a nullable choice names it.
  if (json.nullable === true && Array.isArray(json.enum) && !json.enum.includes(null)) json.enum.push(null);
  if (schema.type === 'string') tightenString(schema, json);
  if (schema.type === 'number') tightenNumber(schema, json);
  if (schema.type === 'object') {
    const min = rulesNamed(schema, 'min')[0]?.args?.limit;
    if (typeof min === 'number') json.minProperties = min;
    if (json.additionalProperties === undefined || json.additionalProperties === true) Object.assign(json, openKeys(openValue()));
    const properties = (json.properties ?? {}) as Record<string, unknown>;
    for (const { key, schema: child } of schema.$_terms.keys ?? []) tighten(child, properties[key]);
  }
  if (schema.type === 'array') tighten(schema.$_terms.items?.[0], json.items);
  if (schema.$_terms.whens?.length) tightenBranches(schema.$_terms.whens, json);
}

/**
 * joi-to-swagger states `when` as oneOf its branches, in order; a value both branches accept is
 * valid for Joi, so the document says anyOf.
 */
function tightenBranches(whens: NonNullable<JoiInternals['$_terms']['whens']>, json: JsonSchema): void {
  const branches = (json.oneOf ?? json.anyOf) as unknown[] | undefined;
  if (!branches) return;
  const alternatives = whens.flatMap((w) => [w.then, w.otherwise].filter((branch): branch is Joi.Schema => branch !== undefined));
  alternatives.forEach((alternative, i) => tighten(alternative, branches[i]));
  delete json.oneOf;
  json.anyOf = branches;
}

export function requestSchemaOf(schema: Joi.Schema): JsonSchema {
  const { swagger } = j2s(schema);
  tighten(schema, swagger);
  return swagger as JsonSchema;
}
