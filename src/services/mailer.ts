import nodemailer from 'nodemailer';
import type { Config } from '../config';

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  /** Stable per logical message, so a receiving system can drop a duplicate too. */
  messageId: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

export function createSmtpMailer(smtp: Config['smtp']): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    // Local sinks speak plain SMTP; real relays negotiate STARTTLS when offered.
    ignoreTLS: !smtp.secure && !smtp.user,
    connectionTimeout: 10_000,
  });
  return {
    async send(email) {
      await transport.sendMail({ from: smtp.from, to: email.to, subject: email.subject, text: email.text, messageId: email.messageId });
    },
    close: () => transport.close(),
  };
}
