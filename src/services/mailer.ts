import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { SmtpSettings } from '../config';

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

export function createSmtpMailer(smtp: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport(smtpTransportOptions(smtp));
  const deadlineMs = smtpSendDeadlineMs(smtp);
  return {
    async send(email) {
      await transport.sendMail({
        from: smtp.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        attachments: email.attachments,
        messageId: email.messageId,
        signal: AbortSignal.timeout(deadlineMs),
      });
    },
    close: () => transport.close(),
  };
}
