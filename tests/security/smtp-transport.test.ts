/**
 * The mailer as configured: TLS unless the relay is named a local plain-SMTP sink, and a send that
 * ends within its deadline whatever the server does. Real SMTP servers (smtp-server) on loopback.
 */
import crypto from 'node:crypto';
import { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { type Config, ConfigError, loadConfig } from '../../src/config';
import { createSmtpMailer, smtpSendDeadlineMs, smtpTransportOptions } from '../../src/services/mailer';
import { productionSecrets } from '../support/config';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const productionEnv = (env: Record<string, string> = {}) => ({
  ...productionSecrets(),
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://insurflow@127.0.0.1:5432/insurflow',
  JWT_SECRET: crypto.randomBytes(32).toString('hex'),
  ...env,
});

const email = (subject: string) => ({ to: ['pat@example.test'], subject, text: 'x', messageId: `<${crypto.randomUUID()}@insurflow>` });

/**
 * A plain-SMTP relay on loopback that answers with `handlers` (what makes it slow), and the mail configuration a
 * production API loads to relay through it as a local sink, `env` (its timeouts) on top; `close` stops the relay.
 */
async function slowRelay(
  handlers: Pick<SMTPServerOptions, 'onConnect' | 'onMailFrom' | 'onRcptTo' | 'onData'>,
  env: Record<string, string>,
): Promise<{ smtp: Config['smtp']; close: () => Promise<void> }> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, ...handlers });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const { smtp } = loadConfig(productionEnv({ SMTP_PORT: String(port), SMTP_INSECURE_LOCAL_RELAY: 'true', ...env }));
  return { smtp, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SMTP transport', () => {
  let plainSink: SmtpSink;
  beforeAll(async () => {
    // Offers no STARTTLS, like a sink or a relay stripped of it by someone on the path.
    plainSink = await startSmtpSink();
  });
  afterAll(() => plainSink?.stop());

  it('requires TLS with the default configuration in production, with bounded timeouts', () => {
    const { smtp } = loadConfig(productionEnv());
    expect(smtpTransportOptions(smtp)).toMatchObject({
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    expect(smtpSendDeadlineMs(smtp)).toBe(50_000);
  });

  it('refuses to send in clear to a server that does not offer STARTTLS', async () => {
    const { smtp } = loadConfig(productionEnv({ SMTP_PORT: String(plainSink.port) }));
    const mailer = createSmtpMailer(smtp);
    try {
      await expect(mailer.send(email('Not in clear'))).rejects.toThrow(/STARTTLS/);
    } finally {
      mailer.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(plainSink.messages.filter((m) => m.subject === 'Not in clear')).toHaveLength(0);
  });

  it('speaks plain SMTP to a relay the configuration names as a local sink', async () => {
    const { smtp } = loadConfig(productionEnv(plainSink.env));
    const mailer = createSmtpMailer(smtp);
    try {
      await mailer.send(email('Local relay'));
    } finally {
      mailer.close();
    }
    await plainSink.waitFor((m) => m.subject === 'Local relay');
  });

  it('ends a send at its deadline when the server answers every command just inside the socket timeout', async () => {
    // Half of each timeout: a busy machine's delays stay far from a timeout of their own.
    const stallMs = 1000;
    const stall = (callback: () => void) => setTimeout(callback, stallMs);
    const delivered: string[] = [];
    const { smtp, close } = await slowRelay(
      {
        onConnect: (_session, callback) => stall(callback),
        onMailFrom: (_address, _session, callback) => stall(callback),
        onRcptTo: (_address, _session, callback) => stall(callback),
        onData(stream, _session, callback) {
          delivered.push('mail');
          stream.resume();
          stream.on('end', () => callback());
        },
      },
      { SMTP_CONNECTION_TIMEOUT_MS: '2000', SMTP_GREETING_TIMEOUT_MS: '2000', SMTP_SOCKET_TIMEOUT_MS: '2000' },
    );
    const mailer = createSmtpMailer(smtp);
    const started = Date.now();
    try {
      // Greeting, MAIL and five RCPTs each 1 s late: none reaches a timeout, together they pass the 6 s deadline before DATA.
      const to = ['pat', 'sam', 'kim', 'lee', 'max'].map((name) => `${name}@example.test`);
      await expect(mailer.send({ ...email('Trickled'), to })).rejects.toMatchObject({ name: 'AbortError' });
      const tookMs = Date.now() - started;
      expect(tookMs).toBeGreaterThanOrEqual(smtpSendDeadlineMs(smtp) - 50);
      expect(tookMs).toBeLessThan(smtpSendDeadlineMs(smtp) + 1000);
      expect(delivered).toHaveLength(0);
    } finally {
      mailer.close();
      await close();
    }
  });

  it('counts the deadline from when a message has a session: one queued behind slow sends is delivered once, not cut off after the server took it', async () => {
    // The server takes 1 s to accept each message; seven share one session, so the last waits
    // about 6 s for it: longer than the 5 s deadline of a send, which must not be counted yet.
    // Each timeout is at least twice the delay it bounds, so a busy machine's pauses stay clear of it.
    const acceptMs = 1000;
    const accepted: string[] = [];
    const { smtp, close } = await slowRelay(
      {
        onData(stream, _session, callback) {
          let subject = '';
          stream.on('data', (chunk: Buffer) => (subject ||= /^Subject: (.*)$/m.exec(chunk.toString())?.[1] ?? ''));
          stream.on('end', () => {
            accepted.push(subject.trim());
            setTimeout(callback, acceptMs);
          });
        },
      },
      { SMTP_MAX_CONNECTIONS: '1', SMTP_CONNECTION_TIMEOUT_MS: '1000', SMTP_GREETING_TIMEOUT_MS: '1000', SMTP_SOCKET_TIMEOUT_MS: '3000' },
    );
    expect(smtpSendDeadlineMs(smtp)).toBe(5000);
    const mailer = createSmtpMailer(smtp);
    try {
      const subjects = [1, 2, 3, 4, 5, 6, 7].map((n) => `Queued ${n}`);
      const outcomes = await Promise.allSettled(subjects.map((subject) => mailer.send(email(subject))));
      expect(outcomes.map((o) => o.status)).toEqual(subjects.map(() => 'fulfilled'));
      expect(accepted.sort()).toEqual(subjects);
    } finally {
      mailer.close();
      await close();
    }
  });

  it('refuses SMTP timeouts longer than a notifying activity can wait for, and a webhook timeout likewise', () => {
    expect(() => loadConfig(productionEnv({ SMTP_SOCKET_TIMEOUT_MS: '55000' }))).toThrow(ConfigError);
    expect(() => loadConfig(productionEnv({ SMTP_SOCKET_TIMEOUT_MS: '55000' }))).toThrow(
      /SMTP_SOCKET_TIMEOUT_MS is 75000 ms; at most 60000 ms/,
    );
    expect(() => loadConfig(productionEnv({ WEBHOOK_TIMEOUT_MS: '120000' }))).toThrow(/WEBHOOK_TIMEOUT_MS/);
    expect(() => loadConfig(productionEnv({ SMTP_INSECURE_LOCAL_RELAY: 'maybe' }))).toThrow(/SMTP_INSECURE_LOCAL_RELAY/);
  });
});
