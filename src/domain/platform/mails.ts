/** The e-mails of platform administration: a new platform admin's first password, a tenant's suspension and reactivation. */
import type { Config } from '../../config';
import { actionLinkLines, newLinkLine } from '../action-links';
import type { AccountMail } from '../auth/account-mails';

export function setPasswordMail(config: Config, admin: { email: string; fullName: string }, token: string, ttlMs: number): AccountMail {
  return {
    to: admin.email,
    subject: 'You are an Insurflow platform admin',
    lines: [
      `Hello ${admin.fullName},`,
      '',
      `Another platform admin has made you an Insurflow platform admin. Choose your password with this token; it works once, for ${Math.round(ttlMs / 3_600_000)} hours:`,
      '',
      token,
      '',
      // A platform admin belongs to no tenant: the built-in page.
      ...actionLinkLines(config, 'resetPassword', token, null),
      'Then log in.',
      newLinkLine(config),
    ],
  };
}

export function tenantSuspendedMail(to: string, tenantName: string, reason: string): AccountMail {
  return {
    to,
    subject: 'Your company is suspended on Insurflow',
    lines: [
      `The Insurflow platform team has suspended ${tenantName}, for this reason:`,
      '',
      reason,
      '',
      "While it is suspended nobody of your company can sign in, your public catalog is offline and your customers get no e-mails from Insurflow; your policies' and claims' deadlines keep running.",
      'Reply to this e-mail or contact the platform team to have it reactivated.',
    ],
  };
}

export function tenantReactivatedMail(to: string, tenantName: string): AccountMail {
  return {
    to,
    subject: 'Your company is active again on Insurflow',
    lines: [
      `The Insurflow platform team has reactivated ${tenantName}. Your staff and customers can sign in again, with the sessions they had, and your public catalog is back online.`,
      'E-mails that fell due while it was suspended were not sent and will not be.',
    ],
  };
}
