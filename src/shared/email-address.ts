import Joi from 'joi';

/**
 * An e-mail address as Insurflow takes one: trimmed, lower-cased, well-formed (any top-level domain),
 * at most 254 characters. Every route's `email` (src/api/http/common-schemas.ts), and the address
 * company sign-in takes from an ID token (src/domain/identity/sso.ts): an account whose address is
 * no address would have every mail to it fail.
 */
export const emailAddress = Joi.string().trim().lowercase().email({ tlds: false }).max(254);

/** The address `value` stands for, as `emailAddress` takes it, or null when it is not a well-formed one. */
export function wellFormedAddress(value: unknown): string | null {
  const { value: address, error } = emailAddress.validate(value);
  return error ? null : (address as string);
}
