import { domainToASCII, domainToUnicode } from 'node:url';
import Joi from 'joi';

/** Characters no one sees or types as part of an address: controls, format characters (U+200B, U+00AD, U+202E…) and spaces. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;

/**
 * Whether `address` is the one mailbox it reads as: nothing invisible in it, and its domain already
 * in the form IDNA delivers to. Mail transports send to the domain mapped to ASCII, which drops
 * U+200B and soft hyphens and reads 。 and ． as dots, so `known@example.test` followed by U+200B
 * would be a second account whose mails reach the first one's mailbox.
 */
function isOneMailbox(address: string): boolean {
  if (INVISIBLE.test(address)) return false;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const ascii = domainToASCII(domain);
  return ascii !== '' && domainToUnicode(ascii) === domain;
}

/**
 * An e-mail address as Insurflow takes one: trimmed, in Unicode's composed form, lower-cased,
 * well-formed (any top-level domain), at most 254 characters, and the one mailbox it reads as
 * (isOneMailbox). Every route's `email` (src/api/http/common-schemas.ts), and the address
 * company sign-in takes from an ID token (src/domain/identity/sso.ts): an account whose address is
 * no address would have every mail to it fail.
 */
export const emailAddress = Joi.string()
  .trim()
  .normalize('NFC')
  .lowercase()
  .email({ tlds: false })
  .max(254)
  .custom((address: string, helpers) => (isOneMailbox(address) ? address : helpers.error('string.email')));

/** The address `value` stands for, as `emailAddress` takes it, or null when it is not a well-formed one. */
export function wellFormedAddress(value: unknown): string | null {
  const { value: address, error } = emailAddress.validate(value);
  return error ? null : (address as string);
}
