/**
 * The SSRF guard on compliance webhooks, with the guard switched on (the harness allows loopback
 * for the other suites' local receivers): internal destinations are refused at connect time and
 * recorded as `blocked`; other failures are stored as categories, never as the network's words.
 */
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import supertest from 'supertest';
import { workerActivities } from '../../worker/worker';
import { createApp } from '../../src/api/app';
import { createNotificationActivities } from '../../src/activities/notifications';
import { EscalationAlert, Notification, TenantSettings, type Tenant, type User, WebhookEndpoint } from '../../src/models';
import { WebhookDeliveryError, type WebhookGuard } from '../../src/services/webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../compliance/webhook-receiver';
import { bearer, buildAcknowledgement, buildPolicyVersion, buildTenant, buildUser, signedInBearer } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const SECRET = 'webhook-secret-of-the-tenant-0001';
/** Refused deliveries are the point of this file: the activity runner need not log each one. */
const activityEnvironment = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });

/** Resolves the test's own names; everything else as the system does. */
const NAMES: Record<string, string> = {
  'internal.example.test': '10.1.2.3',
  'metadata.example.test': '169.254.169.254',
  'mapped.example.test': '::ffff:127.0.0.1',
};
const testLookup: LookupFunction = (hostname, options, callback) => {
  const address = NAMES[hostname];
  if (!address) return void (callback as (err: Error) => void)(new Error(`unknown test name ${hostname}`));
  const family = address.includes(':') ? 6 : 4;
  if (options.all)
    return void (callback as unknown as (e: null, all: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
  callback(null, address, family);
};

/** A local server answering every request with `status` (or never, for `null`). */
async function startServer(
  status: number | null,
  headers: Record<string, string> = {},
): Promise<{ url: string; hits: () => number; stop: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    if (status !== null) res.writeHead(status, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits: () => hits,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('webhook SSRF guard', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let receiver: WebhookReceiver;
  let sequence = 0;

  beforeAll(async () => {
    tenant = await buildTenant();
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  async function pointWebhookAt(url: string): Promise<void> {
    await TenantSettings.upsert({ tenantId: tenant.id, values: { complianceWebhookUrl: url }, complianceWebhookSecret: SECRET });
  }

  /** One delivery attempt with the given guard; answers the failure category (or 'sent') and the stored row. */
  async function deliver(url: string, guard: WebhookGuard, timeoutMs = 2000): Promise<{ outcome: string; lastError: string | null }> {
    await pointWebhookAt(url);
    const { sendTenantWebhook } = createNotificationActivities({ ...stack.deps, webhookGuard: guard, webhookTimeoutMs: timeoutMs });
    const idempotencyKey = `guard-test-${(sequence += 1)}`;
    const outcome = await activityEnvironment()
      .run(sendTenantWebhook, { idempotencyKey, tenantId: tenant.id, event: 'test', data: {} })
      .then(
        (result) => (result as { status: string }).status,
        (err: unknown) => (err instanceof WebhookDeliveryError ? err.category : `unexpected: ${String(err)}`),
      );
    const row = await Notification.findOne({ where: { idempotencyKey } });
    return { outcome, lastError: row?.lastError ?? null };
  }

  it('refuses loopback, link-local metadata, private, CGNAT, IPv4-mapped and names resolving to them, before any connection', async () => {
    const port = new URL(receiver.url).port;
    const strict: WebhookGuard = { lookup: testLookup };
    const refused = [
      receiver.url,
      `http://127.0.0.1:${port}/compliance-alerts`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://[fd00::1]/',
      `http://internal.example.test:${port}/`,
      'http://metadata.example.test/',
      `http://mapped.example.test:${port}/`,
    ];
    for (const url of refused) {
      const result = await deliver(url, strict);
      expect({ url, ...result }).toEqual({ url, outcome: 'blocked', lastError: expect.stringContaining('blocked') });
      expect(result.lastError).not.toMatch(/ECONN|refused|127\.0\.0\.1|10\.1\.2\.3/);
    }
    // The system's own resolver too: localhost is loopback.
    await expect(deliver(`http://localhost:${port}/`, {})).resolves.toMatchObject({ outcome: 'blocked' });
    expect(receiver.received).toHaveLength(0);

    // The same receiver is reached once the explicit local-development switch is on.
    await expect(deliver(receiver.url, { allowPrivateNetworks: true })).resolves.toMatchObject({ outcome: 'sent', lastError: null });
    await receiver.waitFor((w) => w.signatureValid);
  });

  it('refuses http when only https is allowed, and URLs carrying credentials', async () => {
    await expect(deliver('http://93.184.216.34/hook', { httpsOnly: true })).resolves.toMatchObject({ outcome: 'blocked' });
    await expect(deliver('https://user:pass@93.184.216.34/hook', {})).resolves.toMatchObject({ outcome: 'blocked' });
  });

  it('does not follow redirects and stores failures as categories: http 3xx/4xx/5xx, timeout, unreachable', async () => {
    const local: WebhookGuard = { allowPrivateNetworks: true };
    const target = await startServer(204);
    const redirect = await startServer(302, { Location: target.url });
    const missing = await startServer(404);
    const broken = await startServer(503);
    const silent = await startServer(null);
    const closed = await startServer(204);
    await closed.stop();
    try {
      await expect(deliver(redirect.url, local)).resolves.toEqual({ outcome: 'http 3xx', lastError: expect.stringContaining('http 3xx') });
      expect(target.hits()).toBe(0);
      await expect(deliver(missing.url, local)).resolves.toMatchObject({ outcome: 'http 4xx' });
      await expect(deliver(broken.url, local)).resolves.toMatchObject({ outcome: 'http 5xx' });
      const started = Date.now();
      await expect(deliver(silent.url, local, 300)).resolves.toMatchObject({ outcome: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2000);
      const unreachable = await deliver(closed.url, local);
      expect(unreachable.outcome).toBe('unreachable');
      expect(unreachable.lastError).not.toMatch(/ECONNREFUSED|connect/);
    } finally {
      await Promise.all([target, redirect, missing, broken, silent].map((server) => server.stop()));
    }
  });

  it('accepts only https webhook URLs of at most 2,048 characters from a production API', async () => {
    const tenantAdmin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const production = createApp({ ...stack.services, config: { ...stack.config, env: 'production' } });
    const put = (complianceWebhookUrl: string) =>
      supertest(production.callback())
        .put('/api/v1/tenant/settings')
        .set('Authorization', signedInBearer(stack.config, tenantAdmin))
        .send({ complianceWebhookUrl });
    const plain = await put('http://alerts.example.test/hook').expect(422);
    expect(plain.body.error.details).toEqual([expect.objectContaining({ field: 'complianceWebhookUrl' })]);
    await put(`https://alerts.example.test/${'a'.repeat(2049)}`).expect(400);
    await put('https://alerts.example.test/hook').expect(200);
    // With the tenant's secret set earlier, it became a webhook endpoint (docs/webhooks.md, The compliance webhook).
    expect(await WebhookEndpoint.count({ where: { tenantId: tenant.id, url: 'https://alerts.example.test/hook' } })).toBe(1);
  });

  it('records a refused escalation webhook as `blocked`, and the escalations list shows only that word', async () => {
    const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const employee: User = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', dueAt: new Date(Date.now() - 86_400_000) });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
    await pointWebhookAt('http://169.254.169.254/latest/meta-data/iam/');
    const { alertComplianceWebhook } = workerActivities({ ...stack.deps, webhookGuard: {} });

    await expect(
      activityEnvironment().run(alertComplianceWebhook, { acknowledgementId: ack.id, workflowId: ack.workflowId! }),
    ).rejects.toThrow('blocked');

    await expect(EscalationAlert.findOne({ where: { acknowledgementId: ack.id } })).resolves.toMatchObject({
      channel: 'webhook',
      deliveryStatus: 'failed',
      lastError: 'blocked',
    });
    const listed = await stack.api.get('/api/v1/compliance/escalations').set('Authorization', bearer(stack.config, officer)).expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ acknowledgementId: ack.id, deliveryStatus: 'failed', lastError: 'blocked' }),
    ]);
  });
});
