/** The e-mails of an address change: the link to the new address, notices to the old one, and to the owner of a taken one. */
import type { Config } from '../../config';
import { forgotPasswordPage } from '../action-links';
import type { MailContext } from '../../services/notifications/context';
import { accountMail, expiryOf, minutesOf, type AccountMail } from './account-mails';

export function confirmEmailChangeMail(
  config: Config,
  to: string,
  ttlMs: number,
  token: string,
  byAdmin: boolean,
  context: MailContext,
): Promise<AccountMail> {
  const variables = { minutes: minutesOf(ttlMs), expiresAt: expiryOf(ttlMs), byAdmin: yesOrNo(byAdmin) };
  return accountMail(config, to, 'confirmEmailChange', variables, context, token);
}

/** A notice to an account's old address (`to`) of a move to `newEmail`, asked by the person or by a tenant admin. */
type OldAddressNotice = (config: Config, to: string, newEmail: string, byAdmin: boolean, context: MailContext) => Promise<AccountMail>;

export const emailChangeRequestedMail: OldAddressNotice = (config, to, newEmail, byAdmin, context) => {
  const variables = { newEmail, forgotPasswordUrl: forgotPasswordPage(config), byAdmin: yesOrNo(byAdmin) };
  return accountMail(config, to, 'emailChangeRequested', variables, context);
};

/** To the owner of an address another account asked to move to: nothing changed, and no link went anywhere. */
export function emailChangeAddressInUseMail(config: Config, to: string, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'emailChangeAddressInUse', { email: to, forgotPasswordUrl: forgotPasswordPage(config) }, context);
}

export const emailChangedMail: OldAddressNotice = (config, to, newEmail, byAdmin, context) =>
  accountMail(config, to, 'emailChanged', { newEmail, byAdmin: yesOrNo(byAdmin) }, context);

/** A `select` variable of the messages: whether a tenant admin asked. */
const yesOrNo = (flag: boolean) => (flag ? 'yes' : 'no');
