/**
 * The compliance escalation webhook becomes a webhook endpoint (docs/webhooks.md, The compliance
 * webhook), on the real API, PostgreSQL, Temporal, worker and an HTTP receiver: the setting is
 * moved once (at worker start, or at once when an admin sets it), the receiver verifies the
 * escalation with the secret it already had, both as Standard Webhooks and, while the tenant keeps
 * the deprecated setting on, by the old X-Insurflow-Signature header.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { createComplianceActivities } from '../../src/activities/compliance';
import { AuditEvent, TenantSettings, type Tenant, type User, WebhookEndpoint } from '../../src/models';
import { moveComplianceWebhooks, standardSecretOf } from '../../src/domain/webhooks/compliance-webhook-move';
import { signWebhook } from '../../src/services/webhook';
import { buildAcknowledgement, buildTenant, buildUser, signedInBearer } from '../support/factories';
import type { TestStack } from '../support/stack';
import { startWebhookStack, type WebhookStack } from './webhook-stack';
import { waitUntil } from '../support/waiting';
import { startReceiver, type Received } from './receiver';

const OLD_SECRET = 'compliance-webhook-secret';

let stack: TestStack;
let webhookStack: WebhookStack;

beforeAll(async () => {
  webhookStack = await startWebhookStack();
  ({ stack } = webhookStack);
});

afterAll(() => webhookStack?.close());

/** An acknowledgement of the tenant escalated to level 2, as its run does it. */
async function escalate(tenant: Tenant): Promise<void> {
  const ack = await buildAcknowledgement({ tenantId: tenant.id });
  await new MockActivityEnvironment().run(createComplianceActivities(stack.deps).escalateOverdueAcknowledgement, {
    acknowledgementId: ack.id,
    workflowId: `ack-${ack.id}`,
    level: 2 as const,
  });
}

/** What the old receiver checks: the hex HMAC of `<timestamp>.<body>` under the shared secret. */
const legacySignatureHolds = (message: Received) =>
  message.headers['x-insurflow-signature'] === `sha256=${signWebhook(OLD_SECRET, message.headers['x-insurflow-timestamp'], message.body)}`;

it('moves a compliance webhook set before the upgrade once; its receiver verifies escalations with the secret it had', async () => {
  const receiver = await startReceiver([200]);
  try {
    const tenant = await buildTenant();
    await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    await TenantSettings.update(
      { values: { complianceWebhookUrl: receiver.url }, complianceWebhookSecret: OLD_SECRET },
      { where: { tenantId: tenant.id } },
    );

    expect(await moveComplianceWebhooks(stack.db.sequelize, stack.config.jwt)).toBe(1);
    expect(await moveComplianceWebhooks(stack.db.sequelize, stack.config.jwt)).toBe(0);
    const [endpoint] = await WebhookEndpoint.findAll({ where: { tenantId: tenant.id } });
    expect(endpoint).toMatchObject({ url: receiver.url, eventTypes: ['acknowledgement.escalated'], disabledAt: null });
    const settings = await TenantSettings.findByPk(tenant.id, { rejectOnEmpty: true });
    expect([settings.effective().complianceWebhookUrl, settings.complianceWebhookSecret]).toEqual([null, null]);
    expect(await AuditEvent.count({ where: { entityId: endpoint.id, reason: 'compliance_webhook_moved' } })).toBe(1);

    await escalate(tenant);
    await waitUntil(() => receiver.received.length === 1, 'the escalation at the receiver', 30_000);
    const [message] = receiver.received;
    const event = new Webhook(standardSecretOf(OLD_SECRET)).verify(message.body, message.headers) as {
      type: string;
      data: { level: number };
    };
    expect(event).toMatchObject({ type: 'com.insurflow.acknowledgement.escalated', data: { level: 2 } });
    // A CloudEvent in structured mode, as every endpoint's delivery is.
    expect(HTTP.toEvent({ headers: message.headers, body: message.body })).toMatchObject({ id: message.headers['webhook-id'] });
    expect(legacySignatureHolds(message)).toBe(true);
    expect(message.headers['x-insurflow-delivery']).toBe(message.headers['webhook-id']);

    // The tenant turns the deprecated headers off: only the Standard Webhooks ones remain.
    await settings.update({ values: { ...settings.values, complianceWebhookLegacySignature: false } });
    await escalate(tenant);
    await waitUntil(() => receiver.received.length === 2, 'the second escalation', 30_000);
    expect(receiver.received[1].headers['x-insurflow-signature']).toBeUndefined();
    expect(() => new Webhook(standardSecretOf(OLD_SECRET)).verify(receiver.received[1].body, receiver.received[1].headers)).not.toThrow();
  } finally {
    await receiver.close();
  }
});

it('a compliance webhook an admin sets now becomes an endpoint at once, shown as one', async () => {
  const tenant = await buildTenant();
  const admin: User = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  // Choosing where events go asks for the admin's presence: as just signed in.
  const auth = { Authorization: signedInBearer(stack.config, admin) };
  const settings = await stack.api
    .put('/api/v1/tenant/settings')
    .set(auth)
    .send({ complianceWebhookUrl: 'http://127.0.0.1:9/hook', complianceWebhookSecret: OLD_SECRET })
    .expect(200);
  expect(settings.body).toMatchObject({ complianceWebhookUrl: null, complianceWebhookSecretSet: false });
  const listed = await stack.api.get('/api/v1/webhooks/endpoints').set(auth).expect(200);
  expect(listed.body.items).toEqual([
    expect.objectContaining({
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['acknowledgement.escalated'],
      legacySignature: true,
      enabled: true,
    }),
  ]);
  expect(await AuditEvent.count({ where: { tenantId: tenant.id, action: 'webhook_endpoint.create', actorId: admin.id } })).toBe(1);
});

it("a compliance webhook is one of the tenant's endpoints: at the quota, setting it is refused (422) and nothing changes; a move at worker start waits for room", async () => {
  const tenant = await buildTenant();
  const admin: User = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  const auth = { Authorization: signedInBearer(stack.config, admin) };
  const ids: string[] = [];
  for (let n = 1; n <= 20; n += 1) {
    const created = await stack.api
      .post('/api/v1/webhooks/endpoints')
      .set(auth)
      .send({ url: `http://127.0.0.1:9/full-${n}`, eventTypes: ['claim.*'] })
      .expect(201);
    ids.push(created.body.id as string);
  }
  const url = 'http://127.0.0.1:9/compliance';
  const refused = await stack.api
    .put('/api/v1/tenant/settings')
    .set(auth)
    .send({ complianceWebhookUrl: url, complianceWebhookSecret: OLD_SECRET, timeZone: 'Europe/Paris' })
    .expect(422);
  expect(refused.body.error).toMatchObject({ code: 'quota_exceeded', details: [{ quota: 'webhook_endpoints', limit: 20, used: 20 }] });
  const unchanged = await TenantSettings.findByPk(tenant.id, { rejectOnEmpty: true });
  expect([unchanged.effective().complianceWebhookUrl, unchanged.complianceWebhookSecret]).toEqual([null, null]);
  expect(unchanged.effective().timeZone).not.toBe('Europe/Paris');
  expect(await WebhookEndpoint.count({ where: { tenantId: tenant.id } })).toBe(20);

  // Set before the upgrade: the worker's move leaves it set (escalations go out the old way) until an endpoint is deleted.
  await TenantSettings.update(
    { values: { complianceWebhookUrl: url }, complianceWebhookSecret: OLD_SECRET },
    { where: { tenantId: tenant.id } },
  );
  expect(await moveComplianceWebhooks(stack.db.sequelize, stack.config.jwt)).toBe(0);
  expect((await TenantSettings.findByPk(tenant.id, { rejectOnEmpty: true })).effective().complianceWebhookUrl).toBe(url);
  expect(await WebhookEndpoint.count({ where: { tenantId: tenant.id } })).toBe(20);
  await stack.api.delete(`/api/v1/webhooks/endpoints/${ids[0]}`).set(auth).expect(204);
  expect(await moveComplianceWebhooks(stack.db.sequelize, stack.config.jwt)).toBe(1);
  expect(await WebhookEndpoint.count({ where: { tenantId: tenant.id, url } })).toBe(1);
});
