/** The e-mails of an address change: the link to the new address, and notices to the old one (and, for a change an admin made, the new). */
import type { Config } from '../../config';
import { actionLinkLines, forgotPasswordPage, type ActionUrls } from '../action-links';
import type { AccountMail } from './account-mails';

export function confirmEmailChangeMail(config: Config, to: string, ttlMs: number, token: string, urls: ActionUrls | null): AccountMail {
  return {
    to,
    subject: 'Confirm your new Insurflow e-mail address',
    lines: [
      'Someone signed in to Insurflow asked to use this address for their account from now on. It changes only once you confirm it.',
      `This token works once, for ${Math.round(ttlMs / 60_000)} minutes:`,
      '',
      token,
      '',
      ...actionLinkLines(config, 'confirmEmailChange', token, urls),
      'If you did not ask for this, ignore this e-mail: nothing changes without the token.',
    ],
  };
}

export function emailChangeRequestedMail(config: Config, to: string, newEmail: string): AccountMail {
  return {
    to,
    subject: 'Your Insurflow e-mail address is about to change',
    lines: [
      `Someone signed in to your Insurflow account, with your password, asked to change its address to ${newEmail}. It changes only once the link mailed there is followed.`,
      `If it was not you, choose a new password now at ${forgotPasswordPage(config)}: that ends every other session, and the link works only together with your account's password (and second factor).`,
    ],
  };
}

export function emailChangedMail(to: string, newEmail: string, byAdmin: boolean): AccountMail {
  return {
    to,
    subject: 'Your Insurflow e-mail address has changed',
    lines: [
      `The address of your Insurflow account is now ${newEmail}${byAdmin ? ', as your company administrator set it' : ''}. Sign in with it from now on; every other session has ended.`,
      byAdmin ? 'If this is wrong, ask your company administrator.' : 'If it was not you, contact your company administrator at once.',
    ],
  };
}

/** To the address a tenant admin set for a staff member: the notice of the change, and the link that proves the address. */
export function confirmStaffAddressMail(config: Config, to: string, token: string, urls: ActionUrls | null): AccountMail {
  return {
    to,
    subject: 'Confirm your Insurflow e-mail address',
    lines: [
      'Your company administrator set this address for your Insurflow account. Sign in with it from now on; every other session has ended.',
      `Until you confirm the address, no password reset is sent to it. This token works once, for ${Math.round(config.emailVerificationTtlMs / 3_600_000)} hours:`,
      '',
      token,
      '',
      ...actionLinkLines(config, 'verifyEmail', token, urls),
      'If this is not your account, ignore this e-mail and tell the company that uses Insurflow, if you know it.',
    ],
  };
}
