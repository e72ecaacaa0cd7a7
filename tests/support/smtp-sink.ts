/** A real SMTP server in this process (tests, benchmarks): mail sent by activities arrives here and is parsed. */
import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitUntil } from './waiting';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** The HTML part; empty for a mail without one. */
  html: string;
  messageId: string;
  attachments: { filename: string; contentType: string; content: string }[];
  /** When the sender began transmitting it (epoch ms), before this process parsed it. */
  receivedAt: number;
}

export interface SmtpSink {
  port: number;
  /** Points a process's configuration at this sink, which speaks plain SMTP (no STARTTLS). */
  env: { SMTP_HOST: string; SMTP_PORT: string; SMTP_INSECURE_LOCAL_RELAY: 'true' };
  messages: ReceivedMail[];
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

function addresses(parsed: ParsedMail): string[] {
  const to = parsed.to ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]) : [];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

/** On a free port, or on `port` to bring a stopped sink back where its senders look for it. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Senders keep their sessions open between messages (a pool): a stopped sink answers them 421
    // and closes at once, as a mail server going down does, instead of waiting 30 s for them.
    closeTimeout: 200,
    onData(stream, _session, callback) {
      const receivedAt = Date.now();
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: addresses(parsed),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html || '',
            messageId: parsed.messageId ?? '',
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? '',
              contentType: a.contentType,
              content: a.content.toString('utf8'),
            })),
            receivedAt,
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A sender killed mid-session (the chaos suite SIGKILLs the worker) resets its connection; that
  // is the sender's failure, and without a listener the reset would be thrown in the test process.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') process.stderr.write(`[smtp sink] ${err.stack ?? err}\n`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const listening = (server.server.address() as AddressInfo).port;
  return {
    port: listening,
    env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(listening), SMTP_INSECURE_LOCAL_RELAY: 'true' },
    messages,
    async waitFor(predicate, timeoutMs = 15_000) {
      let found: ReceivedMail | undefined;
      await waitUntil(
        () => (found = messages.find(predicate)) !== undefined,
        () => `a matching e-mail; received: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`,
        timeoutMs,
      );
      return found!;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
