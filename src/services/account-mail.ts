/**
 * E-mails about one account (its address, its password, its company), sent straight over SMTP by
 * the API process rather than by a workflow's notification activity: the person is waiting for
 * them now, and a lost one is asked for again.
 */
import crypto from 'node:crypto';
import type { Logger } from '../config/logger';
import type { Mailer } from './mailer';

export interface AccountMail {
  to: string;
  subject: string;
  lines: string[];
}

export function sendAccountMail(mailer: Mailer, { to, subject, lines }: AccountMail): Promise<void> {
  const kind = subject.toLowerCase().replace(/[^a-z]+/g, '-');
  return mailer.send({ to: [to], subject, text: lines.join('\n'), messageId: `<${kind}-${crypto.randomUUID()}@insurflow>` });
}

/**
 * Sends the mails of a change that has committed, without holding up its answer: a mail server
 * that is slow or down does not undo the change, and a failure is logged.
 */
export function sendAfterCommit(mailer: Mailer, logger: Logger, mails: AccountMail[]): void {
  for (const mail of mails) {
    sendAccountMail(mailer, mail).catch((err: unknown) => logger.warn({ err, subject: mail.subject }, 'account e-mail failed'));
  }
}
