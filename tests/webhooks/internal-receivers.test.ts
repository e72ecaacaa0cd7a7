/**
 * The operator's internal receivers (WEBHOOK_ALLOWED_INTERNAL_HOSTS, docs/webhooks.md): with private
 * networks refused, as in production, an endpoint on exactly a listed address and port is accepted
 * and delivered to a real HTTP receiver on 127.0.0.1; the same address on another port, or another
 * internal address, is refused when saved (422) and at connect time; a list that is not exact
 * internal addresses with ports stops the process at start-up.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { createWebhookDeliveryActivities } from '../../src/activities/webhook-delivery';
import { type Tenant, type User, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent } from '../../src/models';
import { webhookDeliveryGuardOf } from '../../src/services/webhook';
import { productionSecrets, TEST_JWT_SECRET } from '../support/config';
import { buildTenant, buildUser, signedInBearer } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { startReceiver } from './receiver';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('internal webhook receivers named by the operator', () => {
  let stack: TestStack;
  let allowed: Receiver;
  let otherPort: Receiver;
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    allowed = await startReceiver([204]);
    otherPort = await startReceiver([204]);
    // Private networks refused, as in production: only the one listed address and port is let through.
    stack = await startTestStack({
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_ALLOWED_INTERNAL_HOSTS: `127.0.0.1:${allowed.port}` },
    });
    tenant = await buildTenant({ slug: 'inner-hooks' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });
  afterAll(async () => {
    await stack?.close();
    await allowed?.close();
    await otherPort?.close();
  });

  const createEndpoint = (url: string) =>
    stack.api
      .post('/api/v1/webhooks/endpoints')
      .set({ Authorization: signedInBearer(stack.config, admin) })
      .send({ url, eventTypes: ['claim.*'] });

  /** One attempt of a delivery of a new event to `endpoint`, through the worker's activity with the configured guard. */
  async function attempt(endpoint: WebhookEndpoint, name: string) {
    const event = await WebhookEvent.create({
      tenantId: tenant.id,
      type: 'claim.stage_changed',
      subject: `claims/${name}`,
      data: {},
      time: new Date(),
      dedupeKey: `internal-receiver:${name}`,
    });
    const delivery = await WebhookDelivery.create({ tenantId: tenant.id, endpointId: endpoint.id, eventId: event.id });
    const activities = createWebhookDeliveryActivities({ ...stack.deps, webhookGuard: webhookDeliveryGuardOf(stack.config) });
    const outcome = await new MockActivityEnvironment().run(activities.attemptWebhookDelivery, {
      deliveryId: delivery.id,
      attemptKey: '0-1',
      nextDelayMs: null,
    });
    const recorded = await WebhookDeliveryAttempt.findOne({ where: { deliveryId: delivery.id }, rejectOnEmpty: true });
    return { event, outcome, status: (await delivery.reload()).status, failure: recorded.failure };
  }

  it('accepts an endpoint on exactly the listed address and port and delivers to it', async () => {
    const created = await createEndpoint(allowed.url).expect(201);
    const endpoint = await WebhookEndpoint.findByPk(created.body.id as string, { rejectOnEmpty: true });
    const { event, outcome, status, failure } = await attempt(endpoint, 'allowed');
    expect({ outcome, status, failure }).toEqual({ outcome: { done: true }, status: 'delivered', failure: null });
    expect(allowed.received.map((message) => message.headers['webhook-id'])).toEqual([event.id]);
  });

  it('refuses (422) the same address on another port and other internal addresses; nothing is written', async () => {
    const before = await WebhookEndpoint.count();
    for (const url of [
      otherPort.url,
      `http://[::1]:${allowed.port}/hook`,
      `http://10.0.0.1:${allowed.port}/hook`,
      `http://[::ffff:10.0.0.1]:${allowed.port}/hook`,
      `http://169.254.169.254:${allowed.port}/latest/meta-data`,
    ]) {
      const res = await createEndpoint(url);
      expect({ url, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ url, status: 422, field: 'url' });
    }
    expect(await WebhookEndpoint.count()).toBe(before);
  });

  it('refuses at connect time an endpoint whose address and port are not listed, whatever was saved', async () => {
    // As a row saved before the operator shortened the list: the delivery checks again.
    const endpoint = await WebhookEndpoint.findOne({ where: { tenantId: tenant.id }, rejectOnEmpty: true });
    await endpoint.update({ url: otherPort.url });
    const { outcome, status, failure } = await attempt(endpoint, 'other-port');
    expect({ outcome, status, failure }).toEqual({ outcome: { done: false }, status: 'failed', failure: 'blocked' });
    expect(otherPort.received).toHaveLength(0);
  });

  it('stops the process at start-up unless the list is exact internal addresses with ports, at most 10; production accepts one', () => {
    const base = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', JWT_SECRET: TEST_JWT_SECRET.repeat(2) };
    const eleven = Array.from({ length: 11 }, (_, i) => `10.0.0.${i + 1}:8443`).join(',');
    for (const list of [
      'receiver.internal:8443',
      '10.0.0.0/8',
      '10.0.0.7',
      '10.0.0.7:0',
      '10.0.0.7:70000',
      '10.0.0.7:8000-9000',
      '127.1:8443',
      '::1:8443',
      '8.8.8.8:443',
      '0.0.0.0:8443',
      '10.0.0.7:8443,10.0.0.7:8443',
      eleven,
    ]) {
      expect(() => loadConfig({ ...base, ...productionSecrets(), WEBHOOK_ALLOWED_INTERNAL_HOSTS: list })).toThrow(
        /"WEBHOOK_ALLOWED_INTERNAL_HOSTS" must be at most 10 distinct internal \(not public\) IP addresses with a port/,
      );
    }
    const started = loadConfig({ ...base, ...productionSecrets(), WEBHOOK_ALLOWED_INTERNAL_HOSTS: '10.0.4.7:8443, [fd00::7]:443' });
    expect(started.webhookAllowedInternalHosts).toEqual(['10.0.4.7 8443', 'fd00:0:0:0:0:0:0:7 443']);
    expect(loadConfig({ ...base, ...productionSecrets() }).webhookAllowedInternalHosts).toEqual([]);
  });
});
