import { Semaphore, withTimeout } from 'async-mutex';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { SmtpSettings } from '../config';
import { NOTIFICATION_DELIVERY_BUDGET_MS } from '../shared/notification-timing';

/** A file sent with an e-mail (a scheduled report's CSV). */
export interface EmailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  /** The same message as HTML (docs/notifications.md); the text stays the part every client can show. */
  html?: string;
  attachments?: EmailAttachment[];
  /** Stable per logical message, so a receiving system can drop a duplicate too. */
  messageId: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * The longest one send may take: a server that stalls anywhere in the session ends it within one
 * of these timeouts, and one that answers just slowly enough to dodge them is cut off here too
 * (src/shared/notification-timing.ts says what this bounds).
 */
export function smtpSendDeadlineMs(smtp: SmtpSettings): number {
  return smtp.connectionTimeoutMs + smtp.greetingTimeoutMs + smtp.socketTimeoutMs;
}

/**
 * A pool of sessions, each kept open for many messages: a rollout's thousands of notices would
 * otherwise each pay a connection, a greeting, EHLO and (in production) a TLS handshake.
 */
export function smtpTransportOptions(smtp: SmtpSettings): SMTPPool.Options {
  return {
    pool: true,
    maxConnections: smtp.maxConnections,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    // Without implicit TLS the session must be upgraded with STARTTLS, and a server that does not
    // offer it gets nothing in clear; only a relay the configuration names as local speaks plain SMTP.
    requireTLS: !smtp.secure && !smtp.insecureLocalRelay,
    ignoreTLS: smtp.insecureLocalRelay,
    connectionTimeout: smtp.connectionTimeoutMs,
    greetingTimeout: smtp.greetingTimeoutMs,
    socketTimeout: smtp.socketTimeoutMs,
  };
}

/** How long a send waits for a free session: what the delivery budget leaves beside the send itself. */
export function smtpSessionWaitMs(smtp: SmtpSettings): number {
  return Math.max(NOTIFICATION_DELIVERY_BUDGET_MS - smtpSendDeadlineMs(smtp), 0);
}

export function createSmtpMailer(smtp: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport(smtpTransportOptions(smtp));
  const deadlineMs = smtpSendDeadlineMs(smtp);
  // The send deadline starts once the message has a session of its own. Started while it queued
  // behind sessions a stalled server held, it could run out after the server had taken the
  // message and before it said so: the attempt would fail and its retry deliver a second copy.
  const sessionWaitMs = smtpSessionWaitMs(smtp);
  const sessions = withTimeout(
    new Semaphore(smtp.maxConnections),
    sessionWaitMs,
    new Error(`no SMTP session came free within ${sessionWaitMs} ms`),
  );
  return {
    send: (email) =>
      sessions.runExclusive(async () => {
        await transport.sendMail({
          from: smtp.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          attachments: email.attachments,
          messageId: email.messageId,
          signal: AbortSignal.timeout(deadlineMs),
        });
      }),
    close: () => transport.close(),
  };
}
