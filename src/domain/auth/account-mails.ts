/**
 * The e-mails that answer account requests in place of the HTTP answer, which is the same whether
 * or not an address has an account (docs/security.md, account enumeration). What differs between
 * a known and a new address (the rows written, which mail) happens after the command has answered
 * (`afterAnswer`), so neither the answer nor its timing tells them apart; work that fails there is
 * logged, and the requester, who got no mail, simply asks again.
 */
import crypto from 'node:crypto';
import type { Config } from '../../config';
import { actionLinkLines, signInLine, type ActionUrls } from '../action-links';
import type { Mailer } from '../../services/mailer';
import type { CommandDeps } from '../command';

export interface AccountMail {
  to: string;
  subject: string;
  lines: string[];
}

/** Runs `work` without holding the command's answer; a failure is logged, with the request ID, as `what` failed. */
export function afterAnswer(deps: Pick<CommandDeps, 'logger' | 'auditSource'>, what: string, work: () => Promise<unknown>): void {
  void Promise.resolve()
    .then(work)
    .catch((err: unknown) => deps.logger.warn({ err, requestId: deps.auditSource.requestId }, `${what} failed after answering`));
}

export function sendAccountMail(mailer: Mailer, { to, subject, lines }: AccountMail): Promise<void> {
  const kind = subject.toLowerCase().replace(/[^a-z]+/g, '-');
  return mailer.send({ to: [to], subject, text: lines.join('\n'), messageId: `<${kind}-${crypto.randomUUID()}@insurflow>` });
}

/**
 * Sends the mails of a change that has committed, each on its own, without holding the answer: a
 * mail server that is slow or down does not undo the change, and a failure is logged.
 */
export function mailAfterAnswer(deps: Pick<CommandDeps, 'logger' | 'auditSource' | 'mailer'>, mails: AccountMail[]): void {
  for (const mail of mails) afterAnswer(deps, `e-mail "${mail.subject}"`, () => sendAccountMail(deps.mailer, mail));
}

const hours = (ms: number) => `${Math.round(ms / 3_600_000)} hours`;

const IGNORE_IF_NOT_YOU = 'If you did not ask for this, ignore this e-mail: nothing happens without the link.';

/**
 * `urls`: the tenant's link templates (`actionUrlsOf`). `replacing`: an account still waiting for
 * its link holds the address; this link replaces it with the one asked for now.
 */
export function verifyAccountMail(config: Config, to: string, token: string, urls: ActionUrls | null, replacing = false): AccountMail {
  return {
    to,
    subject: 'Activate your Insurflow account',
    lines: [
      'Someone asked for an Insurflow account with this e-mail address. It works once you confirm the address.',
      ...(replacing
        ? [
            'An account asked for earlier with this address is still waiting for its own link. Whichever link you follow first decides which account the address gets; the other link then stops working.',
          ]
        : []),
      `This token works once, for ${hours(config.emailVerificationTtlMs)}:`,
      '',
      token,
      '',
      ...actionLinkLines(config, 'verifyEmail', token, urls),
      'Then log in.',
      IGNORE_IF_NOT_YOU,
    ],
  };
}

export function alreadyRegisteredMail(config: Config, to: string): AccountMail {
  return {
    to,
    subject: 'You already have an Insurflow account',
    lines: [
      'Someone asked for a new Insurflow account with this e-mail address, which already has one, so nothing was created.',
      `If it was you, use the account you have. ${signInLine(config, to)}`,
      'If it was not you, your account is unchanged and you need do nothing.',
    ],
  };
}

export function verifyRegistrationMail(config: Config, to: string, companyName: string, token: string): AccountMail {
  return {
    to,
    subject: 'Confirm your company registration',
    lines: [
      `Someone asked to register ${companyName} on Insurflow, with this address for its administrator. The request reaches our team once you confirm the address.`,
      `This token works once, for ${hours(config.emailVerificationTtlMs)}:`,
      '',
      token,
      '',
      // A registration has no tenant yet, so no tenant's template: always the built-in page.
      ...actionLinkLines(config, 'confirmRegistration', token, null),
      IGNORE_IF_NOT_YOU,
    ],
  };
}

export function registrationAddressInUseMail(config: Config, to: string, companyName: string): AccountMail {
  return {
    to,
    subject: 'This address already has an Insurflow account',
    lines: [
      `Someone asked to register ${companyName} on Insurflow with this address for its administrator. The address already has an account or an open registration, so nothing was submitted.`,
      'Register the company with another administrator address, or, if this address is already its administrator, use that account.',
      signInLine(config, to),
    ],
  };
}

export function passwordResetMail(
  config: Config,
  user: { email: string; fullName: string },
  token: string,
  ttlMs: number,
  urls: ActionUrls | null,
): AccountMail {
  return {
    to: user.email,
    subject: 'Reset your Insurflow password',
    lines: [
      `Hello ${user.fullName},`,
      '',
      `Someone asked to reset the password of this account. This token works once, for ${ttlMs / 60_000} minutes:`,
      '',
      token,
      '',
      ...actionLinkLines(config, 'resetPassword', token, urls),
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ],
  };
}

export function failedSignInsMail(to: string, windowSeconds: number): AccountMail {
  return {
    to,
    subject: 'Several failed sign-ins to your Insurflow account',
    lines: [
      'Someone tried several wrong passwords for your account. Your account is not locked: attempts from that source are being slowed down, and you can still log in as usual.',
      `If it was not you, consider changing your password. You will get at most one such e-mail every ${Math.round(windowSeconds / 60)} minutes.`,
    ],
  };
}
