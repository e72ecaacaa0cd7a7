/** The e-mails of an address change: the link to the new address, and notices to the old one (and, for a change an admin made, the new). */
import type { Config } from '../../config';
import { forgotPasswordPage } from '../action-links';
import type { MailContext } from '../../services/notifications/context';
import { accountMail, expiryOf, hoursOf, minutesOf, type AccountMail } from './account-mails';

export function confirmEmailChangeMail(
  config: Config,
  to: string,
  ttlMs: number,
  token: string,
  context: MailContext,
): Promise<AccountMail> {
  return accountMail(config, to, 'confirmEmailChange', { minutes: minutesOf(ttlMs), expiresAt: expiryOf(ttlMs) }, context, token);
}

export function emailChangeRequestedMail(config: Config, to: string, newEmail: string, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'emailChangeRequested', { newEmail, forgotPasswordUrl: forgotPasswordPage(config) }, context);
}

/** To the owner of an address another account asked to move to: nothing changed, and no link went anywhere. */
export function emailChangeAddressInUseMail(config: Config, to: string, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'emailChangeAddressInUse', { email: to, forgotPasswordUrl: forgotPasswordPage(config) }, context);
}

export function emailChangedMail(
  config: Config,
  to: string,
  newEmail: string,
  byAdmin: boolean,
  context: MailContext,
): Promise<AccountMail> {
  return accountMail(config, to, 'emailChanged', { newEmail, byAdmin: byAdmin ? 'yes' : 'no' }, context);
}

/** To the address a tenant admin set for a staff member: the notice of the change, and the link that proves the address. */
export function confirmStaffAddressMail(config: Config, to: string, token: string, context: MailContext): Promise<AccountMail> {
  const ttl = config.emailVerificationTtlMs;
  return accountMail(config, to, 'confirmStaffAddress', { hours: hoursOf(ttl), expiresAt: expiryOf(ttl) }, context, token);
}
