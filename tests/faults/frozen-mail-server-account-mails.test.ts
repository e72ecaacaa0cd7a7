/**
 * A mail server frozen (it accepts connections and never greets) while the API sends an account
 * mail of its own: the answer stays a fast 202, the mail's failed attempt is kept to be tried
 * again, and once the server answers the mail arrives exactly once, its token kept sealed meanwhile.
 */
import { Op } from 'sequelize';
import { OutboxMessage, type User } from '../../src/models';
import { buildTenant, buildUser } from '../support/factories';
import { tokenIn } from '../support/mailed-tokens';
import { PausableProxy, startPausableProxy } from '../support/pausable-proxy';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { startTestStack, TestStack } from '../support/stack';
import { WAIT_BOUND_MS, waitUntil } from '../support/waiting';

const RESET_SUBJECT = 'Reset your Insurflow password';
const SMTP_TIMEOUT_MS = 3000;

describe('an account mail while the mail server is frozen', () => {
  let sink: SmtpSink;
  let frozenServer: PausableProxy;
  let stack: TestStack;
  let user: User;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Paused, the proxy accepts connections and passes nothing on: a SIGSTOPped server.
    frozenServer = await startPausableProxy({ host: '127.0.0.1', port: sink.port });
    stack = await startTestStack({
      worker: true,
      env: {
        SMTP_PORT: String(frozenServer.port),
        SMTP_CONNECTION_TIMEOUT_MS: String(SMTP_TIMEOUT_MS),
        SMTP_GREETING_TIMEOUT_MS: String(SMTP_TIMEOUT_MS),
        SMTP_SOCKET_TIMEOUT_MS: String(SMTP_TIMEOUT_MS),
      },
    });
    user = await buildUser({ tenantId: (await buildTenant()).id, email: 'frozen-reset@example.test' });
  });
  afterAll(async () => {
    await stack?.close();
    await frozenServer?.close();
    await sink?.stop();
  });

  const resetMails = () => sink.messages.filter((m) => m.subject === RESET_SUBJECT && m.to.includes(user.email));

  it('answers 202 at once, and delivers the password reset mail once the server answers, exactly once', async () => {
    frozenServer.pause();
    const started = Date.now();
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    // Answered without waiting for the mail server, which gives up on its greeting only later.
    expect(Date.now() - started).toBeLessThan(SMTP_TIMEOUT_MS);

    // The attempt made while the server was frozen failed, and is kept to be tried again.
    await waitUntil(
      async () => (await OutboxMessage.count({ where: { kind: 'mail', deliveredAt: null, lastError: { [Op.ne]: null } } })) > 0,
      'the failed reset mail kept to be tried again',
      WAIT_BOUND_MS,
    );
    expect(resetMails()).toHaveLength(0);

    frozenServer.resume();
    const mail = await sink.waitFor((m) => m.subject === RESET_SUBJECT && m.to.includes(user.email), WAIT_BOUND_MS);
    const token = tokenIn(mail);
    // Sent: the row says so, and no other attempt is left to send it again.
    await waitUntil(
      async () => (await OutboxMessage.count({ where: { kind: 'mail', deliveredAt: null } })) === 0,
      'the reset mail marked delivered',
      WAIT_BOUND_MS,
    );
    expect(resetMails()).toHaveLength(1);
    // The outbox row never held the live token in clear.
    const rows = await OutboxMessage.findAll({ where: { kind: 'mail' } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0].payload)).not.toContain(token);
    // The token works.
    await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'After-freeze-7' }).expect(204);
  });
});
