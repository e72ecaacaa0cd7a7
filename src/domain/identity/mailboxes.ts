/**
 * One person, one mailbox: the rule every separation of duties judges a person by (a claim's claimant, a
 * compliance version's makers, a quote's requester, an offboarding's asker, a report's recipient). E-mail
 * addresses are unique, so a staff member who also holds a policyholder account does so under another
 * address, and a sub-address of their own mailbox is the one way to get a second address without a second
 * mailbox.
 */
import { col, fn } from 'sequelize';
import { User } from '../../models';

/** The mailbox an address delivers to: the address without its sub-address (`name+tag@host` reaches `name@host`, RFC 5233), lower-cased. */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).split('+')[0];
  return `${local}${email.slice(at)}`.toLowerCase();
}

/** A sub-address, `+tag` up to the `@`, as a PostgreSQL regular expression (the `@` replaces it). */
const SUB_ADDRESS = '[+][^@]*@';

/** `mailboxOf` of the `email` column in SQL, to find the accounts on a mailbox (addresses are stored lower-cased). */
export const MAILBOX_OF_EMAIL = fn('regexp_replace', col('email'), SUB_ADDRESS, '@');

/** `mailboxOf` of an address column in a statement written out (`column` as the statement names it, `maker.email`). */
export const mailboxOfColumn = (column: string) => `regexp_replace(${column}, '${SUB_ADDRESS}', '@')`;

/**
 * Whether the account `userId` and any of the accounts `others` are one person: the same account, or
 * accounts on one mailbox. What a second pair of eyes is judged by (an offboarding's asker, a platform
 * admin's proposer, a quote's requester).
 */
export async function isOnePersonWith(userId: string, others: string[]): Promise<boolean> {
  if (others.includes(userId)) return true;
  const accounts = await User.findAll({ where: { id: [userId, ...others] }, attributes: ['id', 'email'] });
  const own = accounts.find((account) => account.id === userId);
  return own !== undefined && accounts.some((account) => account.id !== userId && mailboxOf(account.email) === mailboxOf(own.email));
}
