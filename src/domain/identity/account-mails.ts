/**
 * The e-mails that answer account requests in place of the HTTP answer, which is the same whether
 * or not an address has an account (docs/security.md, account enumeration). What differs between
 * a known and a new address (the rows written, which mail) happens after the command has answered
 * (`afterAnswer`), so neither the answer nor its timing tells them apart; work that fails there is
 * logged, and the requester, who got no mail, simply asks again. A mail itself is not lost to a
 * mail server that is down or frozen: it is written to the outbox before it is sent (`sendAccountMail`).
 */
import crypto from 'node:crypto';
import type { Config } from '../../config';
import { actionLink, forgotPasswordPage } from '../action-links';
import { OutboxMessage } from '../../models';
import { ACCOUNT_MAIL_SEALING_PURPOSE, type AccountMailPayload } from '../../models/outbox-message';
import type { Mailer } from '../../services/mailer';
import { openSecret, sealSecret } from '../../services/sealed-secret';
import type { MailContext } from '../../services/notifications/context';
import { renderNotification, type RenderedMail } from '../../services/notifications/render';
import { TEMPLATES, type Template, type ValuesOf } from '../../services/notifications/templates';
import type { NotificationType } from '../../shared/notification-settings';
import type { CommandDeps } from '../command';

export interface AccountMail extends RenderedMail {
  to: string;
  type: NotificationType;
}

/** Runs `work` without holding the command's answer; a failure is logged, with the request ID, as `what` failed. */
export function afterAnswer(deps: Pick<CommandDeps, 'logger' | 'auditSource'>, what: string, work: () => Promise<unknown>): void {
  void Promise.resolve()
    .then(work)
    .catch((err: unknown) => deps.logger.warn({ err, requestId: deps.auditSource.requestId }, `${what} failed after answering`));
}

/**
 * How long one attempt at an outbox mail holds it before another process may send it: longer than
 * a whole send may take (the three SMTP timeouts, at most 60 s together; src/config).
 */
export const OUTBOX_MAIL_LEASE_MS = 120_000;

/** Sends one account mail; its key is its Message-ID, so a send made again is one receivers drop. */
export function mailAccount(mailer: Mailer, key: string, { to, subject, text, html }: AccountMail): Promise<void> {
  return mailer.send({ to: [to], subject, text, html, messageId: `<${key}@insurflow>` });
}

/** The mail an outbox row holds, or null when it cannot be opened (sealed under another JWT_SECRET). */
export function openAccountMail(sealing: Config['jwt'], key: string, payload: AccountMailPayload): AccountMail | null {
  const opened = openSecret(sealing, ACCOUNT_MAIL_SEALING_PURPOSE, key, payload.sealed);
  return opened === null ? null : (JSON.parse(opened) as AccountMail);
}

/**
 * Writes the mail to the outbox (kind `mail`), sealed, since its text holds the live token and
 * the row is kept, then sends it at once. The row is written held by this attempt (its lease);
 * a failed attempt leaves it to the worker, which sends it once the mail server answers
 * (src/activities/outbox-mails.ts): a mail server down or frozen delays the mail, never loses it,
 * and the row, marked delivered once sent, is not sent twice.
 */
export async function sendAccountMail(deps: Pick<CommandDeps, 'config' | 'mailer'>, mail: AccountMail): Promise<void> {
  const key = `${mail.type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${crypto.randomUUID()}`;
  const payload: AccountMailPayload = {
    mail: 'account',
    sealed: sealSecret(deps.config.jwt, ACCOUNT_MAIL_SEALING_PURPOSE, key, JSON.stringify(mail)),
  };
  const row = await OutboxMessage.create({
    kind: 'mail',
    workflowId: key,
    payload,
    attempts: 1,
    nextAttemptAt: new Date(Date.now() + OUTBOX_MAIL_LEASE_MS),
  });
  try {
    await mailAccount(deps.mailer, key, mail);
  } catch (err) {
    // Due again at once: the worker's back-off takes over from this first attempt. Best effort:
    // without it the lease runs out and the worker sends it a little later.
    await OutboxMessage.update(
      { nextAttemptAt: new Date(), lastError: String((err as Error).message).slice(0, 2000) },
      { where: { id: row.id } },
    ).catch(() => undefined);
    throw err;
  }
  await OutboxMessage.update({ deliveredAt: new Date(), nextAttemptAt: null }, { where: { id: row.id } });
}

/**
 * Sends the mails of a change that has committed, each on its own, without holding the answer: a
 * mail server that is slow or down does not undo the change, nor loses the mail (`sendAccountMail`).
 */
export function mailAfterAnswer(
  deps: Pick<CommandDeps, 'logger' | 'auditSource' | 'mailer' | 'config'>,
  mails: (() => Promise<AccountMail>)[],
): void {
  for (const mail of mails) afterAnswer(deps, 'notification e-mail', async () => sendAccountMail(deps, await mail()));
}

/**
 * The mail of `type` to `to`, rendered from its template (docs/notifications.md) in `context`; a
 * template with an action links `token` as every mailed link is built (`actionLink`, with the
 * tenant's templates from the context).
 */
export async function accountMail<T extends NotificationType>(
  config: Pick<Config, 'api'>,
  to: string,
  type: T,
  values: ValuesOf<T>,
  context: MailContext,
  token?: string,
): Promise<AccountMail> {
  const { action } = TEMPLATES[type] as Template;
  const callToAction = action && token !== undefined ? { token, url: actionLink(config, action, token, context.actionUrls) } : undefined;
  return { to, type, ...(await renderNotification(type, values, context, callToAction)) };
}

/** How long a token lasts, in the units its mail names, and until when. */
export const hoursOf = (ms: number) => Math.round(ms / 3_600_000);
export const minutesOf = (ms: number) => Math.round(ms / 60_000);
export const expiryOf = (ms: number) => new Date(Date.now() + ms);

/**
 * `replacing`: an account still waiting for its link holds the address; this link replaces it with
 * the one asked for now.
 */
export function verifyAccountMail(
  config: Config,
  to: string,
  token: string,
  context: MailContext,
  replacing = false,
): Promise<AccountMail> {
  const ttl = config.emailVerificationTtlMs;
  const values = { hours: hoursOf(ttl), expiresAt: expiryOf(ttl), replacing: replacing ? 'yes' : 'no' };
  return accountMail(config, to, 'verifyAccount', values, context, token);
}

/**
 * A new account without a password yet: the link proves the address and chooses the password in
 * one step. `type`: a staff member is invited to work for the company, a customer is told the
 * company opened their account.
 */
export function invitationMail(
  config: Config,
  to: string,
  token: string,
  type: 'staffInvitation' | 'policyholderInvitation',
  invitation: { fullName: string; invitedBy: string; companyName: string },
  context: MailContext,
): Promise<AccountMail> {
  const ttl = config.emailVerificationTtlMs;
  return accountMail(config, to, type, { ...invitation, hours: hoursOf(ttl), expiresAt: expiryOf(ttl) }, context, token);
}

export function alreadyRegisteredMail(config: Config, to: string, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'alreadyRegistered', { email: to, forgotPasswordUrl: forgotPasswordPage(config) }, context);
}

/** A registration has no tenant yet, so no tenant's link template: always the built-in page. */
export function verifyRegistrationMail(
  config: Config,
  to: string,
  companyName: string,
  token: string,
  context: MailContext,
): Promise<AccountMail> {
  const ttl = config.emailVerificationTtlMs;
  return accountMail(config, to, 'verifyRegistration', { companyName, hours: hoursOf(ttl), expiresAt: expiryOf(ttl) }, context, token);
}

export function registrationAddressInUseMail(config: Config, to: string, companyName: string, context: MailContext): Promise<AccountMail> {
  const values = { companyName, email: to, forgotPasswordUrl: forgotPasswordPage(config) };
  return accountMail(config, to, 'registrationAddressInUse', values, context);
}

export function passwordResetMail(
  config: Config,
  user: { email: string; fullName: string },
  token: string,
  ttlMs: number,
  context: MailContext,
): Promise<AccountMail> {
  const values = { fullName: user.fullName, minutes: minutesOf(ttlMs), expiresAt: expiryOf(ttlMs) };
  return accountMail(config, user.email, 'passwordReset', values, context, token);
}

export function failedSignInsMail(config: Config, to: string, windowSeconds: number, context: MailContext): Promise<AccountMail> {
  return accountMail(config, to, 'failedSignIns', { minutes: Math.round(windowSeconds / 60) }, context);
}
