/**
 * Events out (docs/webhooks.md), on the real API, PostgreSQL, Temporal, worker and a real HTTP
 * receiver on 127.0.0.1: endpoints only a tenant's admins manage, events recorded with the change,
 * Standard Webhooks signatures checked by the official `standardwebhooks` verifier, retries on the
 * run's timers, rotation, the delivery log and replay, and the SSRF guard.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import asyncApiSpecs from '@asyncapi/specs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import supertest from 'supertest';
import { HTTP, type CloudEvent } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../src/api/app';
import { createComplianceActivities } from '../../src/activities/compliance';
import { createSubscriptionActivities } from '../../src/activities/subscriptions';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { webhookDeliveryRun } from '../../src/contracts/webhook-delivery';
import { recordWebhookEvent } from '../../src/domain/webhooks/events';
import { Op } from 'sequelize';
import { openSecret } from '../../src/services/sealed-secret';
import { signingSecretsOf, WEBHOOK_SECRET_PURPOSE } from '../../src/services/webhook-secrets';
import {
  AuditEvent,
  type Claim,
  OutboxMessage,
  type Tenant,
  type User,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from '../../src/models';
import {
  bearer,
  buildAcknowledgement,
  buildClaim,
  buildPlan,
  buildSubscription,
  buildTenant,
  buildUser,
  signedInBearer,
  TEST_PASSWORD,
} from '../support/factories';
import type { TestStack } from '../support/stack';
import { moveClaim as moveClaimAs, startWebhookStack, type WebhookStack } from './webhook-stack';
import { eventually, waitUntil } from '../support/waiting';
import { sentWhileHeld } from '../support/database';
import { startReceiver, type Received } from './receiver';
import { apiKeyHeader } from '../support/api-keys';

/** The verifier a receiver runs: throws unless one signature in the header is the secret's. */
function verified(secret: string, message: Received): { id: string; type: string; subject: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(message.body, message.headers) as never;
}

describe('webhooks', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let admin: User;
  let otherTenant: Tenant;
  let otherAdmin: User;
  let agent: User;
  let webhookStack: WebhookStack;

  beforeAll(async () => {
    webhookStack = await startWebhookStack();
    ({ stack } = webhookStack);
    tenant = await buildTenant({ slug: 'hooks' });
    otherTenant = await buildTenant({ slug: 'other-hooks' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    otherAdmin = await buildUser({ tenantId: otherTenant.id, role: 'tenant_admin' });
  });
  afterAll(() => webhookStack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  // As just signed in: choosing where events go asks for the admin's presence (src/domain/identity/presence.ts).
  const signedIn = (user: User) => ({ Authorization: signedInBearer(stack.config, user) });
  const createEndpoint = (url: string, eventTypes = ['claim.*'], user = admin) =>
    stack.api.post('/api/v1/webhooks/endpoints').set(signedIn(user)).send({ url, eventTypes, description: 'ledger feed' });

  /** A claim moved by the claims agent, as its run records it. */
  const moveClaim = (claim: Claim, sequence: number, to?: 'assigned' | 'under_review') => moveClaimAs(stack, claim, agent.id, sequence, to);

  const deliveriesOf = async (endpointId: string) =>
    (await stack.api.get(`/api/v1/webhooks/endpoints/${endpointId}/deliveries`).set(as(admin)).expect(200)).body.items as Array<{
      id: string;
      status: string;
      event: { id: string; type: string };
      attempts: Array<{ statusCode: number | null; failure: string | null; latencyMs: number }>;
      nextAttemptAt: string | null;
    }>;

  it('lists the event types, each with the JSON Schema of its data', async () => {
    const res = await stack.api.get('/api/v1/webhooks/event-types').set(as(admin)).expect(200);
    expect(res.body.items.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['claim.stage_changed', 'invoice.paid', 'registration.approved', 'acknowledgement.escalated']),
    );
    const claimType = res.body.items.find((t: { type: string }) => t.type === 'claim.stage_changed');
    expect(claimType).toMatchObject({
      cloudEventType: 'com.insurflow.claim.stage_changed',
      schema: { type: 'object', required: expect.arrayContaining(['claimId', 'to']) },
    });
  });

  it('only a tenant admin manages endpoints: a claims agent 403, another tenant 404; the secret is answered once and stored sealed', async () => {
    await createEndpoint('http://127.0.0.1:9/hook', ['claim.*'], agent).expect(403);
    await stack.api.get('/api/v1/webhooks/endpoints').set(as(agent)).expect(403);
    const created = await createEndpoint('http://127.0.0.1:9/hook').expect(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const id = created.body.id as string;
    const row = await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true });
    expect(row.secretSealed).not.toContain(created.body.secret.slice(6));
    expect((await stack.api.get(`/api/v1/webhooks/endpoints/${id}`).set(as(admin)).expect(200)).body).not.toHaveProperty('secret');

    for (const res of [
      await stack.api.get(`/api/v1/webhooks/endpoints/${id}`).set(as(otherAdmin)),
      await stack.api.patch(`/api/v1/webhooks/endpoints/${id}`).set(as(otherAdmin)).send({ enabled: false }),
      await stack.api.delete(`/api/v1/webhooks/endpoints/${id}`).set(as(otherAdmin)),
      await stack.api.post(`/api/v1/webhooks/endpoints/${id}/rotate-secret`).set(as(otherAdmin)),
      await stack.api.get(`/api/v1/webhooks/endpoints/${id}/deliveries`).set(as(otherAdmin)),
    ]) {
      expect(res.status).toBe(404);
    }
    await row.reload();
    expect(row.disabledAt).toBeNull();

    const patched = await stack.api
      .patch(`/api/v1/webhooks/endpoints/${id}`)
      .set(as(admin))
      .send({ enabled: false, eventTypes: ['*'] })
      .expect(200);
    expect(patched.body).toMatchObject({ enabled: false, eventTypes: ['*'] });
    await stack.api.delete(`/api/v1/webhooks/endpoints/${id}`).set(as(admin)).expect(204);
    await stack.api.get(`/api/v1/webhooks/endpoints/${id}`).set(as(admin)).expect(404);
    const actions = (await AuditEvent.findAll({ where: { entityId: id }, order: [['occurredAt', 'ASC']] })).map((e) => e.action);
    expect(actions).toEqual(['webhook_endpoint.create', 'webhook_endpoint.update', 'webhook_endpoint.delete']);
  });

  it('makes an endpoint, or moves it to another URL, only with proof the admin is there: a session alone 403, a wrong password 400 (a failed sign-in); other changes need none', async () => {
    // Every event it subscribes to, people's data in them, goes to the URL: a stolen session must not choose it.
    const session = await stack.api.post('/api/v1/auth/login').send({ email: admin.email, password: TEST_PASSWORD }).expect(200);
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.body.tokens.refreshToken }).expect(200);
    const stolen = { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
    const body = { url: 'http://127.0.0.1:9/thief', eventTypes: ['*'] };
    const create = (extra: object = {}) =>
      stack.api
        .post('/api/v1/webhooks/endpoints')
        .set(stolen)
        .send({ ...body, ...extra });
    expect((await create().expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await create({ currentPassword: 'Not-The-Password-1' }).expect(400)).body.error.code).toBe('wrong_current_password');
    await create({ currentPassword: 'x'.repeat(129) }).expect(400);
    expect(await WebhookEndpoint.count({ where: { url: body.url } })).toBe(0);
    await waitUntil(
      async () => (await AuditEvent.count({ where: { entityId: admin.id, action: 'auth.sign_in_failed' } })) > 0,
      "the admin's wrong password on the record as a failed sign-in",
    );

    const id = (await createEndpoint('http://127.0.0.1:9/ours').expect(201)).body.id as string;
    const move = (extra: object = {}) =>
      stack.api
        .patch(`/api/v1/webhooks/endpoints/${id}`)
        .set(stolen)
        .send({ url: body.url, ...extra });
    expect((await move().expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await move({ currentPassword: 'Not-The-Password-2' }).expect(400)).body.error.code).toBe('wrong_current_password');
    expect((await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true })).url).toBe('http://127.0.0.1:9/ours');
    await stack.api.patch(`/api/v1/webhooks/endpoints/${id}`).set(stolen).send({ description: 'renamed', enabled: false }).expect(200);
    await move({ currentPassword: TEST_PASSWORD }).expect(200);
    expect((await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true })).url).toBe(body.url);
    await create({ url: 'http://127.0.0.1:9/proven', currentPassword: TEST_PASSWORD }).expect(201);
  });

  it('rotates a secret only with proof the admin is there: a session alone 403, a wrong password 400, an API key 403; nothing rotated', async () => {
    // The new secret is answered to the caller, and after the overlap only it signs: a stolen session must not take it.
    const id = (await createEndpoint('http://127.0.0.1:9/kept-secret').expect(201)).body.id as string;
    const { secretSealed } = await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true });
    const session = await stack.api.post('/api/v1/auth/login').send({ email: admin.email, password: TEST_PASSWORD }).expect(200);
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.body.tokens.refreshToken }).expect(200);
    const stolen = { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
    const rotate = (auth: { Authorization: string }, body: object = {}) =>
      stack.api.post(`/api/v1/webhooks/endpoints/${id}/rotate-secret`).set(auth).send(body);

    expect((await rotate(stolen).expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await rotate(stolen, { currentPassword: 'Not-The-Password-3' }).expect(400)).body.error.code).toBe('wrong_current_password');
    // A key is never a tenant admin's (none is made with that role): the verb refuses it before any proof.
    await rotate(await apiKeyHeader(stack, admin, 'claims_manager'), { currentPassword: TEST_PASSWORD }).expect(403);
    expect(await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true })).toMatchObject({ secretSealed, previousSecretSealed: null });
    expect(await AuditEvent.count({ where: { entityId: id, action: 'webhook_endpoint.rotate_secret' } })).toBe(0);

    expect((await rotate(stolen, { currentPassword: TEST_PASSWORD }).expect(200)).body.secret).toMatch(/^whsec_/);
    expect((await rotate(signedIn(admin)).expect(200)).body.secret).toMatch(/^whsec_/);
    expect(await AuditEvent.count({ where: { entityId: id, action: 'webhook_endpoint.rotate_secret' } })).toBe(2);
  });

  it("keeps a tenant's endpoints to 20: past it 422 quota_exceeded naming the limit, nothing created, counted under the tenant's lock", async () => {
    const quotaTenant = await buildTenant({ slug: 'hooks-quota' });
    const quotaAdmin = await buildUser({ tenantId: quotaTenant.id, role: 'tenant_admin' });
    const create = (n: number) => createEndpoint(`http://127.0.0.1:9/quota-${n}`, ['claim.*'], quotaAdmin);
    for (let n = 1; n <= 18; n += 1) await create(n).expect(201);
    // Three at once for the last two places: the second and third count what the first added.
    const racing = await Promise.all([create(19), create(20), create(21)]);
    expect(racing.map((res) => res.status).sort()).toEqual([201, 201, 422]);
    expect(await WebhookEndpoint.count({ where: { tenantId: quotaTenant.id } })).toBe(20);

    // A disabled endpoint still counts: it may be enabled again at any time.
    const [first] = await WebhookEndpoint.findAll({ where: { tenantId: quotaTenant.id }, limit: 1 });
    await stack.api.patch(`/api/v1/webhooks/endpoints/${first.id}`).set(as(quotaAdmin)).send({ enabled: false }).expect(200);
    const refused = await create(22).expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'quota_exceeded',
      message: 'A tenant keeps at most 20 webhook endpoints: delete one first',
      details: [{ field: 'url', quota: 'webhook_endpoints', limit: 20, used: 20 }],
    });
    expect(await WebhookEndpoint.count({ where: { tenantId: quotaTenant.id } })).toBe(20);
    expect(await WebhookEndpoint.count({ where: { url: 'http://127.0.0.1:9/quota-22' } })).toBe(0);

    await stack.api.delete(`/api/v1/webhooks/endpoints/${first.id}`).set(as(quotaAdmin)).expect(204);
    await create(22).expect(201);
  });

  it('refuses (422) a destination that resolves to a private address, and an unknown event type (400); nothing is written', async () => {
    // The API as production runs it: private networks refused.
    const strict = supertest(createApp({ ...stack.services, config: { ...stack.config, webhookAllowPrivateNetworks: false } }).callback());
    const before = await WebhookEndpoint.count();
    for (const url of ['http://localhost:8080/hook', 'https://169.254.169.254/latest/meta-data', 'https://[::ffff:10.0.0.1]/hook']) {
      const res = await strict
        .post('/api/v1/webhooks/endpoints')
        .set(signedIn(admin))
        .send({ url, eventTypes: ['claim.*'] });
      expect({ url, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ url, status: 422, field: 'url' });
    }
    await createEndpoint('http://127.0.0.1:9/hook', ['claims.everything']).expect(400);
    await createEndpoint('ftp://127.0.0.1/hook').expect(400);
    expect(await WebhookEndpoint.count()).toBe(before);
  });

  it('a receiver answering 500 then 200: one event, two attempts, each validly signed with the same id', async () => {
    const receiver = await startReceiver([500, 200]);
    try {
      const created = await createEndpoint(receiver.url).expect(201);
      const claim = await buildClaim({ tenantId: tenant.id });
      await moveClaim(claim, 1);

      await waitUntil(() => receiver.received.length >= 2, 'two attempts at the receiver', 30_000);
      const [first, second] = receiver.received.map((message) => verified(created.body.secret, message));
      expect(first.id).toBe(second.id);
      expect(second).toMatchObject({
        specversion: '1.0',
        type: 'com.insurflow.claim.stage_changed',
        subject: `claims/${claim.id}`,
        source: `/insurflow/tenants/${tenant.id}`,
        data: { claimId: claim.id, claimNumber: claim.claimNumber, from: 'reported', to: 'assigned' },
      });
      const deliveries = await eventually(
        () => deliveriesOf(created.body.id),
        (d) => d[0]?.status === 'delivered',
        'delivered',
      );
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ event: { id: first.id, type: 'claim.stage_changed' }, nextAttemptAt: null });
      expect(deliveries[0].attempts.map((a) => [a.statusCode, a.failure])).toEqual([
        [500, 'http 5xx'],
        [200, null],
      ]);
      expect(await WebhookEvent.count({ where: { id: first.id } })).toBe(1);

      // Replay: the same event id again, from a new run.
      await stack.api
        .post(`/api/v1/webhooks/endpoints/${created.body.id}/deliveries/${deliveries[0].id}/replay`)
        .set(as(admin))
        .expect(202);
      await waitUntil(() => receiver.received.length >= 3, 'the replayed delivery');
      expect(verified(created.body.secret, receiver.received[2]).id).toBe(first.id);
      // Both runs, as an operator finds them from the API: the tenant's admin only.
      for (const workflowId of [webhookDeliveryRun.id(deliveries[0].id), webhookDeliveryRun.id(deliveries[0].id, 1)]) {
        const run = await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(admin)).expect(200);
        expect(run.body.workflowId).toBe(workflowId);
        await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(otherAdmin)).expect(404);
        await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(agent)).expect(404);
      }
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('a delivery is a structured CloudEvent the official SDK reads, and the standardwebhooks package verifies it', async () => {
    const receiver = await startReceiver([200]);
    try {
      const created = await createEndpoint(receiver.url).expect(201);
      const claim = await buildClaim({ tenantId: tenant.id });
      await moveClaim(claim, 1);
      await waitUntil(() => receiver.received.length === 1, 'the delivery');
      const [message] = receiver.received;
      // The CloudEvents HTTP binding's structured mode: the media type says the body is the whole event.
      expect(message.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      const event = HTTP.toEvent({ headers: message.headers, body: message.body }) as CloudEvent<Record<string, unknown>>;
      expect(event).toMatchObject({
        specversion: '1.0',
        id: message.headers['webhook-id'],
        type: 'com.insurflow.claim.stage_changed',
        source: `/insurflow/tenants/${tenant.id}`,
        subject: `claims/${claim.id}`,
        datacontenttype: 'application/json',
        data: { claimId: claim.id, from: 'reported', to: 'assigned' },
      });
      expect(verified(created.body.secret, message).id).toBe(event.id);
      // Sent as plain JSON, as before, the SDK finds no CloudEvent in the same request.
      expect(() => HTTP.toEvent({ headers: { ...message.headers, 'content-type': 'application/json' }, body: message.body })).toThrow(
        /no cloud event detected/,
      );
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('a receiver down, then up: the event is delivered once it is back', async () => {
    // A port nothing listens on yet.
    const probe = await startReceiver([200]);
    const { port } = probe;
    await probe.close();
    const created = await createEndpoint(`http://127.0.0.1:${port}/hook`).expect(201);
    const claim = await buildClaim({ tenantId: tenant.id });
    await moveClaim(claim, 1);
    const [failed] = await eventually(
      () => deliveriesOf(created.body.id),
      (d) => d[0]?.attempts.length === 1,
      'the first attempt',
    );
    expect(failed.attempts[0]).toMatchObject({ statusCode: null, failure: 'unreachable' });
    expect(failed.nextAttemptAt).not.toBeNull();

    const receiver = await startReceiver([200], port);
    try {
      await waitUntil(() => receiver.received.length === 1, 'the retry at the receiver', 30_000);
      expect(verified(created.body.secret, receiver.received[0])).toMatchObject({ id: failed.event.id });
      await eventually(
        () => deliveriesOf(created.body.id),
        (d) => d[0]?.status === 'delivered',
        'delivered',
      );
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('after a rotation both secrets sign during the overlap; a rolled-back change sends nothing', async () => {
    const receiver = await startReceiver([200]);
    try {
      const created = await createEndpoint(receiver.url).expect(201);
      const rotated = await stack.api.post(`/api/v1/webhooks/endpoints/${created.body.id}/rotate-secret`).set(signedIn(admin)).expect(200);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

      // A change that rolls back records no event.
      const claim = await buildClaim({ tenantId: tenant.id });
      await expect(
        stack.db.sequelize.transaction(async (transaction) => {
          const event = { claimId: claim.id, from: 'reported', to: 'closed' };
          await recordWebhookEvent(
            {
              tenantId: tenant.id,
              type: 'claim.stage_changed',
              subject: `claims/${claim.id}`,
              data: event,
              time: new Date(),
              dedupeKey: 'rolled-back',
            },
            transaction,
          );
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await moveClaim(claim, 1);
      await waitUntil(() => receiver.received.length === 1, 'the event');
      const message = receiver.received[0];
      expect(message.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(verified(created.body.secret, message).subject).toBe(`claims/${claim.id}`);
      expect(verified(rotated.body.secret, message).subject).toBe(`claims/${claim.id}`);
      expect(() => verified('whsec_' + Buffer.alloc(24, 1).toString('base64'), message)).toThrow();
      expect(await WebhookEvent.count({ where: { dedupeKey: 'rolled-back' } })).toBe(0);
      // Only the committed change's delivery, and only its run started.
      expect(await WebhookDelivery.count({ where: { endpointId: created.body.id } })).toBe(1);
      expect(await OutboxMessage.count({ where: { workflowId: { [Op.like]: 'webhook-delivery-%' }, deliveredAt: null } })).toBe(0);
      expect(await AuditEvent.count({ where: { entityId: created.body.id, action: 'webhook_endpoint.rotate_secret' } })).toBe(1);
    } finally {
      await receiver.close();
    }
  });
  it('two rotations of one secret at the same instant: each answered secret still signs, none is lost', async () => {
    const created = await createEndpoint('http://127.0.0.1:9/rotating').expect(201);
    const id = created.body.id as string;
    const rotate = () => stack.api.post(`/api/v1/webhooks/endpoints/${id}/rotate-secret`).set(signedIn(admin));
    // The row held, so both requests have read it before either writes: each then waits on it.
    const answers = await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) => WebhookEndpoint.findByPk(id, { lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%webhook_endpoints%',
        waiting: 2,
      },
      () => Promise.all([rotate(), rotate()]),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const secrets = answers.map((answer) => answer.body.secret as string);
    const stored = await WebhookEndpoint.findByPk(id, { rejectOnEmpty: true });
    const signing = signingSecretsOf(stored, new Date()).map((sealed) => openSecret(stack.config.jwt, WEBHOOK_SECRET_PURPOSE, id, sealed));
    expect(signing.sort()).toEqual([...secrets].sort());
    expect(await AuditEvent.count({ where: { entityId: id, action: 'webhook_endpoint.rotate_secret' } })).toBe(2);
  });

  it("one tenant's endpoint that never answers does not delay another tenant's deliveries", async () => {
    // Holds every request open until the 15 s timeout cuts it.
    const held: http.ServerResponse[] = [];
    const stuck = http.createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    const fast = await startReceiver([200]);
    try {
      const stuckUrl = `http://127.0.0.1:${(stuck.address() as AddressInfo).port}/hook`;
      const slowEndpoint = await createEndpoint(stuckUrl, ['*'], otherAdmin).expect(201);
      const fastEndpoint = await createEndpoint(fast.url).expect(201);
      for (let i = 0; i < 5; i += 1) await moveClaim(await buildClaim({ tenantId: otherTenant.id }), 1);
      await waitUntil(() => held.length === 5, "the other tenant's five requests held open");

      const moved = Date.now();
      await moveClaim(await buildClaim({ tenantId: tenant.id }), 1);
      await waitUntil(() => fast.received.length === 1, 'the delivery to the fast endpoint');
      const latencyMs = Date.now() - moved;
      // The held requests are cut only at 15 s; this one goes out on its own run at once (relay tick included).
      expect(latencyMs).toBeLessThan(7_500);
      expect(held.length).toBe(5);
      await stack.api.delete(`/api/v1/webhooks/endpoints/${fastEndpoint.body.id}`).set(as(admin)).expect(204);
      await stack.api.delete(`/api/v1/webhooks/endpoints/${slowEndpoint.body.id}`).set(as(otherAdmin)).expect(204);
    } finally {
      held.forEach((res) => res.destroy());
      stuck.closeAllConnections();
      await new Promise((resolve) => stuck.close(resolve));
      await fast.close();
    }
  });

  it('a policy paid, then cancelled with a refund owed: its status change, the payment and the refund, as subscription and invoice events with their amounts as the API writes them', async () => {
    const receiver = await startReceiver([200]);
    try {
      const created = await createEndpoint(receiver.url, ['subscription.*', 'invoice.paid', 'invoice.refund_recorded']).expect(201);
      const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'annual', premium: '365.00', currency: 'EUR' });
      const policy = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
      const [invoice] = await billCurrentTerm(stack.db.sequelize, policy.id);
      await applyPayment(
        stack.db.sequelize,
        { tenantId: tenant.id, invoiceId: invoice.id, amountMinor: 36500, method: 'cheque', receivedAt: new Date('2026-01-01T09:00:00Z') },
        { actor: { type: 'system', id: null } },
      );
      const cancel = {
        subscriptionId: policy.id,
        expected: { status: 'active' as const, renewalCount: 0 },
        changes: { status: 'cancelled' as const, cancelledAt: '2026-01-11T12:00:00.000Z', cancelledById: admin.id },
      };
      // Retried: still one event of each.
      for (let i = 0; i < 2; i += 1)
        await new MockActivityEnvironment().run(createSubscriptionActivities(stack.deps).applySubscriptionChange, cancel);

      await waitUntil(() => receiver.received.length >= 3, 'the three events', 30_000);
      const events = receiver.received.map((message) => verified(created.body.secret, message));
      expect(events.map((event) => event.type).sort()).toEqual([
        'com.insurflow.invoice.paid',
        'com.insurflow.invoice.refund_recorded',
        'com.insurflow.subscription.status_changed',
      ]);
      // Money as every API answer writes it (docs/api.md, Money), beside the minor units.
      expect(events.find((event) => event.type.endsWith('invoice.paid'))).toMatchObject({
        subject: `invoices/${invoice.id}`,
        data: { invoiceId: invoice.id, amountMinor: 36500, amount: '365.00', currency: 'EUR', method: 'cheque' },
      });
      expect(events.find((event) => event.type.endsWith('status_changed'))).toMatchObject({
        subject: `subscriptions/${policy.id}`,
        data: { subscriptionId: policy.id, from: 'active', to: 'cancelled', renewalCount: 0, actorId: admin.id },
      });
      // 10 of 365 days used: 355.00 owed back by hand.
      expect(events.find((event) => event.type.endsWith('refund_recorded'))).toMatchObject({
        subject: `invoices/${invoice.id}`,
        data: { invoiceId: invoice.id, subscriptionId: policy.id, amountMinor: 35500, amount: '355.00', currency: 'EUR', status: 'owed' },
      });
      // Each as the AsyncAPI document's message of its type says, and that names the decimal amount.
      const messages = Object.values((await stack.api.get('/api/asyncapi.json').expect(200)).body.components.messages) as Array<{
        name: string;
        payload: { properties: { data: { properties: Record<string, unknown> } } };
      }>;
      const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
      for (const event of receiver.received.map((message) => JSON.parse(message.body) as { type: string })) {
        const { payload } = messages.find((message) => `com.insurflow.${message.name}` === event.type)!;
        expect(ajv.validate(payload, event) ? [] : ajv.errors).toEqual([]);
      }
      const paid = messages.find((message) => message.name === 'invoice.paid')!;
      expect(paid.payload.properties.data.properties.amount).toMatchObject({ type: 'string', pattern: '^[0-9]+(\\.[0-9]{2,3})?$' });
      expect(await WebhookEvent.count({ where: { subject: `subscriptions/${policy.id}` } })).toBe(1);
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it('serves an AsyncAPI 3.0 document, valid by its schema, whose message for each event type validates what is delivered', async () => {
    const document = (await stack.api.get('/api/asyncapi.json').expect(200)).body;
    // The AsyncAPI schema bundles the draft-07 meta-schema itself: Ajv's own copy would clash with it.
    const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
    addFormats(ajv);
    const validDocument = ajv.compile(asyncApiSpecs.schemas['3.0.0']);
    expect(validDocument(document) ? [] : validDocument.errors).toEqual([]);
    // The check can fail: a document without its info is refused.
    expect(validDocument({ ...document, info: null })).toBe(false);
    const types = (await stack.api.get('/api/v1/webhooks/event-types').set(as(admin)).expect(200)).body.items.map(
      (item: { type: string }) => item.type,
    );
    expect(Object.values(document.components.messages).map((message) => (message as { name: string }).name)).toEqual(types);

    const receiver = await startReceiver([200]);
    try {
      const created = await createEndpoint(receiver.url).expect(201);
      await moveClaim(await buildClaim({ tenantId: tenant.id }), 1);
      await waitUntil(() => receiver.received.length === 1, 'the delivery');
      const { payload, headers } = document.components.messages.ClaimStageChanged;
      const validPayload = ajv.compile(payload);
      expect(validPayload(JSON.parse(receiver.received[0].body)) ? [] : validPayload.errors).toEqual([]);
      expect(validPayload({ ...JSON.parse(receiver.received[0].body), type: 'com.insurflow.invoice.paid' })).toBe(false);
      const validHeaders = ajv.compile(headers);
      expect(validHeaders(receiver.received[0].headers) ? [] : validHeaders.errors).toEqual([]);
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      await receiver.close();
    }
  });

  it("a tenant suspended and reactivated, and an acknowledgement given: tenant and acknowledgement events to the tenant's endpoint", async () => {
    const receiver = await startReceiver([200]);
    const tenantOfOwn = await buildTenant();
    const ownAdmin = await buildUser({ tenantId: tenantOfOwn.id, role: 'tenant_admin' });
    try {
      const created = await createEndpoint(receiver.url, ['tenant.*', 'acknowledgement.acknowledged'], ownAdmin).expect(201);
      const platformAdmin = await buildUser({ role: 'platform_admin' });
      await stack.api
        .post(`/api/v1/tenants/${tenantOfOwn.id}/suspend`)
        .set(as(platformAdmin))
        .send({ reason: 'Unpaid platform fees' })
        .expect(200);
      await stack.api.post(`/api/v1/tenants/${tenantOfOwn.id}/reactivate`).set(as(platformAdmin)).send({}).expect(200);
      const ack = await buildAcknowledgement({ tenantId: tenantOfOwn.id });
      const acknowledgedAt = new Date().toISOString();
      await new MockActivityEnvironment().run(createComplianceActivities(stack.deps).recordAcknowledgement, {
        acknowledgementId: ack.id,
        acknowledgedAt,
      });

      await waitUntil(() => receiver.received.length >= 3, 'the three events', 30_000);
      const events = receiver.received.map((message) => verified(created.body.secret, message));
      const tenantEvents = events.filter((event) => event.type === 'com.insurflow.tenant.status_changed').map((event) => event.data);
      expect(tenantEvents).toEqual(
        expect.arrayContaining([
          { tenantId: tenantOfOwn.id, from: 'active', to: 'suspended', reason: 'Unpaid platform fees' },
          { tenantId: tenantOfOwn.id, from: 'suspended', to: 'active', reason: null },
        ]),
      );
      expect(events.find((event) => event.type === 'com.insurflow.acknowledgement.acknowledged')).toMatchObject({
        subject: `acknowledgements/${ack.id}`,
        data: { acknowledgementId: ack.id, employeeId: ack.employeeId, acknowledgedAt, wasStatus: 'pending' },
      });
    } finally {
      await receiver.close();
    }
  });

  it('guarantees no order per entity: a retried first move arrives after the second, and data.sequence puts them back in order', async () => {
    // Refuses the first attempt at the claim's first move only: its retry comes 5 s later.
    const arrivals: Array<{ sequence: number; status: number }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { sequence: number } };
        const status = data.sequence === 1 && !arrivals.some((a) => a.sequence === 1) ? 500 : 200;
        arrivals.push({ sequence: data.sequence, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const created = await createEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`).expect(201);
      const claim = await buildClaim({ tenantId: tenant.id });
      await moveClaim(claim, 1);
      await waitUntil(() => arrivals.length === 1, 'the first move refused once');
      await moveClaim(claim, 2, 'under_review');
      await waitUntil(() => arrivals.filter((a) => a.status === 200).length === 2, 'both moves accepted', 30_000);
      const accepted = arrivals.filter((a) => a.status === 200).map((a) => a.sequence);
      expect(accepted).toEqual([2, 1]);
      expect([...accepted].sort((a, b) => a - b)).toEqual([1, 2]);
      await stack.api.delete(`/api/v1/webhooks/endpoints/${created.body.id}`).set(as(admin)).expect(204);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
