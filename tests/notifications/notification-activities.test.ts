import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createNotificationActivities,
  NOTIFICATION_LEASE_HELD,
  SendEmailInput,
  SendTenantWebhookInput,
} from '../../src/activities/notifications';
import { ERASED_EMAIL_DOMAIN } from '../../src/contracts/privacy-erasure';
import { Notification, PrivacyErasure, TenantSettings, type User } from '../../src/models';
import type { Mailer } from '../../src/services/mailer';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../src/services/webhook';
import { buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

/** Runs an activity as attempt N of a retry sequence would see it. */
function runAttempt<I, R>(fn: (input: I) => Promise<R>, input: I, attempt = 1): Promise<R> {
  return new MockActivityEnvironment({ attempt }).run(fn, input) as Promise<R>;
}

describe('notification activities', () => {
  const stack = testStackOfBlock();

  it('sends one e-mail when the same activity runs twice with one idempotency key', async () => {
    const { sendEmail } = createNotificationActivities(stack.deps);
    const input: SendEmailInput = {
      idempotencyKey: 'test-wf-1:welcome',
      tenantId: null,
      to: { emails: ['pat@example.test'] },
      subject: 'Welcome',
      text: 'Hello Pat',
    };
    const first = await runAttempt(sendEmail, input);
    const second = await runAttempt(sendEmail, input);

    expect(first.status).toBe('sent');
    expect(second.status).toBe('already_sent');
    await stack.smtp.waitFor((m) => m.subject === 'Welcome');
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.smtp.messages.filter((m) => m.subject === 'Welcome')).toHaveLength(1);
    const row = await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, recipients: ['pat@example.test'] });
  });

  it('records a failed attempt, then the retry sends exactly one message', async () => {
    let failuresLeft = 1;
    const flakyMailer: Mailer = {
      async send(email) {
        if (failuresLeft-- > 0) throw new Error('SMTP connection reset');
        await stack.deps.mailer.send(email);
      },
      close: () => undefined,
    };
    const { sendEmail } = createNotificationActivities({ ...stack.deps, mailer: flakyMailer });
    const input: SendEmailInput = {
      idempotencyKey: 'test-wf-2:reminder',
      tenantId: null,
      to: { emails: ['sam@example.test'] },
      subject: 'Reminder 2',
      text: 'x',
    };

    await expect(runAttempt(sendEmail, input, 1)).rejects.toThrow('SMTP connection reset');
    const failed = await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } });
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      leaseUntil: null,
      lastError: expect.stringContaining('SMTP connection reset'),
    });

    await runAttempt(sendEmail, input, 2);
    await runAttempt(sendEmail, input, 3);
    await stack.smtp.waitFor((m) => m.subject === 'Reminder 2');
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.smtp.messages.filter((m) => m.subject === 'Reminder 2')).toHaveLength(1);
    expect(await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } })).toMatchObject({ status: 'sent', attempts: 2 });
  });

  /** Sessions of the test database inside a transaction that is waiting for its client. */
  async function idleInTransaction(): Promise<number> {
    const [rows] = await stack.db.sequelize.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
    );
    return (rows as Array<{ n: number }>)[0].n;
  }

  it('sends once when two attempts run at the same time: the second finds the row claimed and fails retryably', async () => {
    let releaseDelivery!: () => void;
    const deliveryHeld = new Promise<void>((resolve) => (releaseDelivery = resolve));
    let deliveryStarted!: () => void;
    const delivering = new Promise<void>((resolve) => (deliveryStarted = resolve));
    // The real mailer, held at the start of the delivery until the second attempt has been answered.
    const heldMailer: Mailer = {
      async send(email) {
        deliveryStarted();
        await deliveryHeld;
        await stack.deps.mailer.send(email);
      },
      close: () => undefined,
    };
    const { sendEmail } = createNotificationActivities({ ...stack.deps, mailer: heldMailer });
    const input: SendEmailInput = {
      idempotencyKey: 'test-wf-3:race',
      tenantId: null,
      to: { emails: ['race@example.test'] },
      subject: 'Race',
      text: 'x',
    };

    const first = runAttempt(sendEmail, input);
    await delivering;
    const claimed = await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } });
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    expect(claimed!.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    // The delivery in progress holds no transaction (and no pooled connection) open.
    expect(await idleInTransaction()).toBe(0);

    await expect(runAttempt(sendEmail, input, 2)).rejects.toMatchObject({ type: NOTIFICATION_LEASE_HELD, nonRetryable: false });
    releaseDelivery();
    expect(await first).toMatchObject({ status: 'sent' });
    expect(await runAttempt(sendEmail, input, 3)).toMatchObject({ status: 'already_sent' });

    await stack.smtp.waitFor((m) => m.subject === 'Race');
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.smtp.messages.filter((m) => m.subject === 'Race')).toHaveLength(1);
    expect(await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } })).toMatchObject({
      status: 'sent',
      attempts: 1,
      leaseUntil: null,
    });
  });

  it('takes over a row whose attempt died mid-send once its lease has run out, and sends it with the same Message-ID', async () => {
    const { sendEmail } = createNotificationActivities(stack.deps);
    const live: SendEmailInput = {
      idempotencyKey: 'test-wf-5:held',
      tenantId: null,
      to: { emails: ['held@example.test'] },
      subject: 'Held',
      text: 'x',
    };
    const expired: SendEmailInput = {
      idempotencyKey: 'test-wf-5:expired',
      tenantId: null,
      to: { emails: ['expired@example.test'] },
      subject: 'Expired',
      text: 'x',
    };
    // Rows as an attempt leaves them when its worker dies between claiming and recording.
    const claimedBy = (input: SendEmailInput, leaseUntil: Date) =>
      Notification.create({
        idempotencyKey: input.idempotencyKey,
        tenantId: null,
        channel: 'email',
        recipients: input.to.emails!,
        subject: input.subject!,
        body: input.text!,
        status: 'sending',
        attempts: 1,
        leaseUntil,
      });
    await claimedBy(live, new Date(Date.now() + 60_000));
    await claimedBy(expired, new Date(Date.now() - 1000));

    await expect(runAttempt(sendEmail, live, 2)).rejects.toMatchObject({ type: NOTIFICATION_LEASE_HELD, nonRetryable: false });
    expect(await runAttempt(sendEmail, expired, 2)).toMatchObject({ status: 'sent', recipients: ['expired@example.test'] });

    const mail = await stack.smtp.waitFor((m) => m.subject === 'Expired');
    expect(mail.messageId).toBe(`<${encodeURIComponent(expired.idempotencyKey)}@insurflow>`);
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.smtp.messages.filter((m) => m.subject === 'Held')).toHaveLength(0);
    expect(await Notification.findOne({ where: { idempotencyKey: live.idempotencyKey } })).toMatchObject({
      status: 'sending',
      attempts: 1,
    });
    expect(await Notification.findOne({ where: { idempotencyKey: expired.idempotencyKey } })).toMatchObject({
      status: 'sent',
      attempts: 2,
      leaseUntil: null,
    });
  });

  it('resolves recipients by role inside the tenant only', async () => {
    const tenant = await buildTenant();
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager', email: 'boss@t1.test' });
    await buildUser({ role: 'claims_manager', email: 'boss@other.test' });
    const { sendEmail } = createNotificationActivities(stack.deps);
    const input: SendEmailInput = {
      idempotencyKey: 'test-wf-4:escalation',
      tenantId: tenant.id,
      to: { roles: ['claims_manager'] },
      subject: 'Escalation',
      text: 'x',
    };
    const result = await runAttempt(sendEmail, input);
    expect(result.recipients).toEqual([manager.email]);
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Escalation');
    expect(mail.to).toEqual(['boss@t1.test']);
  });

  it('sends nothing to a person whose erasure was asked for, recording why; the other recipients still get it', async () => {
    const tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager', email: 'manager@erasure.test' });
    // Being erased: the run has not reached the users row yet, so the account is active under its real address.
    const beingErased = await buildUser({ tenantId: tenant.id, role: 'policyholder', email: 'being-erased@erasure.test' });
    // Erased: the users row is the pseudonym, inactive.
    const erased = await buildUser({ tenantId: tenant.id, role: 'policyholder', email: 'erased@erasure.test' });
    const erasureOf = (user: User, status: 'running' | 'completed') =>
      PrivacyErasure.create({
        id: crypto.randomUUID(),
        tenantId: tenant.id,
        userId: user.id,
        requestedById: admin.id,
        reason: 'Data subject request',
        status,
        workflowId: `privacy-erasure-test-${user.id}`,
      });
    const running = await erasureOf(beingErased, 'running');
    const completed = await erasureOf(erased, 'completed');
    await erased.update({ fullName: 'erased-0123456789abcdef', email: `erased-0123456789abcdef@${ERASED_EMAIL_DOMAIN}`, isActive: false });
    const { sendEmail } = createNotificationActivities(stack.deps);
    const mail = (key: string, to: SendEmailInput['to']): SendEmailInput => ({
      idempotencyKey: `test-wf-erased:${key}`,
      tenantId: tenant.id,
      to,
      subject: `Claim reminder ${key}`,
      text: 'Please send the invoice',
    });

    const withheld = [
      [mail('being-erased', { userIds: [beingErased.id] }), running.id],
      [mail('being-erased-address', { emails: ['Being-Erased@erasure.test'] }), running.id],
      [mail('erased', { userIds: [erased.id] }), completed.id],
      [mail('pseudonym-address', { emails: [erased.email] }), completed.id],
    ] as const;
    for (const [input, erasureId] of withheld) {
      expect(await runAttempt(sendEmail, input)).toEqual({ notificationId: expect.any(String), status: 'suppressed', recipients: [] });
      // A retried activity finds the same row and sends nothing either.
      expect(await runAttempt(sendEmail, input, 2)).toMatchObject({ status: 'suppressed', recipients: [] });
      expect(await Notification.findOne({ where: { idempotencyKey: input.idempotencyKey } })).toMatchObject({
        status: 'recipient_erased',
        recipients: [],
        body: null,
        payload: { erasureIds: [erasureId] },
        sentAt: null,
      });
    }
    const shared = mail('shared', { userIds: [beingErased.id], roles: ['claims_manager'] });
    expect(await runAttempt(sendEmail, shared)).toMatchObject({ status: 'sent', recipients: [manager.email] });

    // Sent after the others: once it has arrived, anything sent to the erased people would have too.
    expect((await stack.smtp.waitFor((m) => m.subject === shared.subject)).to).toEqual([manager.email]);
    const erasedAddresses = [beingErased.email, erased.email, 'erased@erasure.test'];
    expect(stack.smtp.messages.filter((m) => m.to.some((to) => erasedAddresses.includes(to)))).toEqual([]);
  });

  it('posts an HMAC-signed webhook the receiver can verify, once per key', async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const tenant = await buildTenant();
      const secret = 'webhook-secret-0123456789';
      await TenantSettings.upsert({
        tenantId: tenant.id,
        values: { complianceWebhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
        complianceWebhookSecret: secret,
      });
      const { sendTenantWebhook } = createNotificationActivities(stack.deps);
      const input: SendTenantWebhookInput = {
        idempotencyKey: 'ack-1:escalation-2',
        tenantId: tenant.id,
        event: 'acknowledgement.escalated',
        data: { level: 2 },
      };
      expect((await runAttempt(sendTenantWebhook, input)).status).toBe('sent');
      expect((await runAttempt(sendTenantWebhook, input)).status).toBe('already_sent');

      expect(received).toHaveLength(1);
      const [{ headers, body }] = received;
      const signature = String(headers[SIGNATURE_HEADER.toLowerCase()]).replace(/^sha256=/, '');
      expect(verifyWebhookSignature(secret, String(headers[TIMESTAMP_HEADER.toLowerCase()]), body, signature)).toBe(true);
      expect(verifyWebhookSignature('wrong-secret', String(headers[TIMESTAMP_HEADER.toLowerCase()]), body, signature)).toBe(false);
      expect(JSON.parse(body)).toMatchObject({ event: 'acknowledgement.escalated', data: { level: 2 } });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
