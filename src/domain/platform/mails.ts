/** The e-mails of platform administration: a new platform admin's first password, a tenant's suspension and reactivation. */
import type { Config } from '../../config';
import { forgotPasswordPage } from '../action-links';
import type { MailContext } from '../../services/notifications/context';
import { accountMail, expiryOf, hoursOf, type AccountMail } from '../identity/account-mails';

/** A platform admin belongs to no tenant: the built-in page, and Insurflow's own mail. */
export function setPasswordMail(
  config: Config,
  admin: { email: string; fullName: string },
  token: string,
  ttlMs: number,
  context: MailContext,
): Promise<AccountMail> {
  const values = {
    fullName: admin.fullName,
    hours: hoursOf(ttlMs),
    expiresAt: expiryOf(ttlMs),
    forgotPasswordUrl: forgotPasswordPage(config),
  };
  return accountMail(config, admin.email, 'platformAdminInvitation', values, context, token);
}

export function tenantSuspendedMail(
  config: Config,
  to: string,
  tenantName: string,
  reason: string,
  context: MailContext,
): Promise<AccountMail> {
  return accountMail(config, to, 'tenantSuspended', { tenantName, reason }, context);
}

export function tenantReactivatedMail(config: Config, to: string, tenantName: string, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'tenantReactivated', { tenantName }, context);
}
