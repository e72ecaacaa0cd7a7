import { getAlpha2Codes } from 'i18n-iso-countries';
import Joi from 'joi';
import { MULTI_LINE_PATTERN, ONE_LINE_PATTERN } from '../../shared/one-line-text';
import { moneyInput, object, required } from '../../shared/typed-schema';

export const uuid = Joi.string().guid({ version: ['uuidv4'] });
export const idParams = object({ id: required(uuid) });
/** Text a person types, without control or invisible format characters, 1 to `max` characters once trimmed. */
export const printableText = (max: number) =>
  Joi.string()
    .trim()
    .min(1)
    .max(max)
    .pattern(/^[^\p{Cc}\p{Cf}]+$/u, 'printable text');

export { ONE_LINE_PATTERN };

/**
 * A name or an address line: one line of printable text (ONE_LINE_PATTERN), 1 to `max` characters once
 * trimmed. A person's, a plan's or a category's name is printed in mails, exports and the schedule, so no
 * line break or control character may reach them, whichever route wrote the name.
 */
export const oneLineText = (max: number) => Joi.string().trim().min(1).max(max).pattern(ONE_LINE_PATTERN, 'one line of printable text');

/**
 * A reason, a note or a description a person types: printable text that may run over several lines
 * (MULTI_LINE_PATTERN: line feed, carriage return and tab, no other control character), 1 to `max`
 * characters once trimmed. It is stored, mailed and printed like a name, with its line breaks.
 */
export const multiLineText = (max: number) =>
  Joi.string().trim().min(1).max(max).pattern(MULTI_LINE_PATTERN, 'printable text (line breaks and tabs allowed)');

/**
 * A bank account as a credit transfer names it: holder, IBAN and BIC in the characters they are
 * written with. Whether a bank takes them (checksums, the SEPA character set) is checked by the
 * command, which names the field it refuses (src/domain/claims/pain001.ts).
 */
export const bankAccountKeys = {
  name: required(printableText(70).description('The account holder, as the bank file carries it')),
  iban: required(
    Joi.string()
      .trim()
      .max(42)
      .pattern(/^[A-Za-z0-9 ]+$/, 'IBAN characters'),
  ),
  bic: Joi.string()
    .trim()
    .max(14)
    .pattern(/^[A-Za-z0-9 ]+$/, 'BIC characters'),
};

/**
 * A country as ISO 3166-1 alpha-2 names it, upper-cased: one of the codes assigned to a country
 * (`i18n-iso-countries`, with XK, Kosovo's user-assigned code in common use), so that two letters no
 * country has ("ZZ") are refused as a malformed code is. The list is stated in the OpenAPI document.
 */
export const countryCode = Joi.string()
  .trim()
  .uppercase()
  .valid(...Object.keys(getAlpha2Codes()).sort())
  .messages({ 'any.only': '{{#label}} must be an ISO 3166-1 alpha-2 code assigned to a country, e.g. DE' });

export { emailAddress as email } from '../../shared/email-address';
/**
 * 8 to 128 characters with a letter and a digit: bounded, so hashing one costs a known amount.
 * Each lookahead scans a class and its complement, which can meet in one way only, so the check
 * is linear in the input's length whatever it holds (Joi runs it even when `max` has failed).
 * One pattern keeps the whole rule in the OpenAPI document.
 */
export const password = Joi.string()
  .min(8)
  .max(128)
  // Joi counts UTF-16 units, the OpenAPI document (JSON Schema) characters: an astral character is
  // two of the first and one of the second. Fewer than 16 units may be fewer than 8 characters.
  .custom((value: string, helpers) =>
    value.length >= 8 && value.length < 16 && [...value].length < 8 ? helpers.error('string.min', { limit: 8 }) : value,
  )
  .pattern(/^(?=[^A-Za-z]*[A-Za-z])(?=[^0-9]*[0-9])/, 'letter and digit');
/**
 * The caller's own password as proof they are there (src/domain/identity/presence.ts) on a change that
 * outlives the session: bounded as a password, never checked against the rule (an old one may predate it).
 */
export const presenceProof = Joi.string().min(1).max(128).description('your password; not needed within 5 minutes of signing in');
/** A plan's premium or cover: more than 0, two decimals, under 10^10 (docs/api.md, Money). */
export const money = moneyInput({ decimals: 2, integerDigits: 10 });
/**
 * An amount in the currency of what it is for (a plan's, a risk's): at most 3 decimals, the most a
 * currency has, and under 10^10 as the DECIMAL(12,2) columns hold; that currency may allow fewer (422).
 */
export const anyCurrencyMoney = (zero: boolean) => moneyInput({ decimals: 3, integerDigits: 10, zero, text: true });
export const workflowRef = Joi.object({ workflowId: Joi.string(), runId: Joi.string().allow(null) });

/**
 * The answer schema of a tenant's row: its `id` and `tenantId`, its own `fields`, then when it was
 * created and last changed, as every row of `tenantRowColumns` (src/models/columns.ts) has them.
 */
export const tenantRowSchema = (label: string, fields: Joi.SchemaMap) =>
  Joi.object({ id: uuid, tenantId: uuid, ...fields, createdAt: Joi.date(), updatedAt: Joi.date() }).label(label);

export const userSchema = Joi.object({
  id: uuid,
  tenantId: uuid.allow(null),
  email: Joi.string(),
  fullName: Joi.string(),
  role: Joi.string(),
  managerId: uuid.allow(null),
  isActive: Joi.boolean(),
  lastLoginAt: Joi.date().allow(null),
  emailVerifiedAt: Joi.date().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('User');

/** A request taken in; what follows comes by e-mail. */
const acceptedSchema = Joi.object({ message: Joi.string() }).label('Accepted');

/**
 * How a route answers a request it took in whose next step comes by e-mail: 202 with `message`
 * telling the client what to do (`description`: the status's own words in the OpenAPI document).
 */
export const acceptedAnswer = (message: string, description?: string) => ({
  response: { status: 202, schema: acceptedSchema, ...(description && { description }) },
  view: () => ({ message }),
});

/** The path's parameters of a row that hangs on another: `/claims/:id/notes/:noteId` takes `childIdParams('noteId')`. */
export function childIdParams<K extends string>(child: K): Joi.ObjectSchema<Record<'id' | K, string>> {
  // The type is written out: a computed key's name is only a string to `object()`'s inference.
  return Joi.object({ id: required(uuid), [child]: required(uuid) });
}
