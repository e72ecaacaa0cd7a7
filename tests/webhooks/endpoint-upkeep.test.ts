/**
 * Keeping webhook endpoints in shape (docs/webhooks.md), on the real API, PostgreSQL, Temporal,
 * worker, SMTP and HTTP receivers: an endpoint whose deliveries have all failed for 5 days is
 * disabled by the delivery that finds it so, its admins told once; a success ends a failing
 * streak; enabling it again forgets the streak; and everything a receiver missed since a time is
 * replayed with the same event IDs.
 */
import { Webhook } from 'standardwebhooks';
import { webhookDeliveryRun } from '../../src/contracts/webhook-delivery';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWebhookDeliveryActivities } from '../../src/activities/webhook-delivery';
import { AuditEvent, type Claim, type Tenant, type User, WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { bearer, buildClaim, buildTenant, buildUser, signedInBearer } from '../support/factories';
import { untilOneWaitsForLock } from '../support/database';
import type { TestStack } from '../support/stack';
import { moveClaim as moveClaimAs, startWebhookStack, type WebhookStack } from './webhook-stack';
import { eventually, waitUntil } from '../support/waiting';
import { startReceiver } from './receiver';

let stack: TestStack;
let tenant: Tenant;
let admin: User;
let agent: User;
let webhookStack: WebhookStack;

beforeAll(async () => {
  webhookStack = await startWebhookStack();
  ({ stack } = webhookStack);
  tenant = await buildTenant();
  admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
});

afterAll(() => webhookStack?.close());

const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

async function endpointFor(url: string): Promise<{ id: string; secret: string }> {
  const created = await stack.api
    .post('/api/v1/webhooks/endpoints')
    .set({ Authorization: signedInBearer(stack.config, admin) })
    .send({ url, eventTypes: ['claim.*'] })
    .expect(201);
  return { id: created.body.id, secret: created.body.secret };
}

/** A claim assigned, as its run records it: one `claim.stage_changed` event. */
const moveClaim = (claim: Claim) => moveClaimAs(stack, claim, agent.id, 1);

it('disables an endpoint failing for 5 days at its next failure, tells the admins once, and forgets the streak when enabled again', async () => {
  const receiver = await startReceiver([500]);
  try {
    const failing = await endpointFor(receiver.url);
    // Failing since just over 5 days: the next failure disables it.
    await WebhookEndpoint.update({ failingSince: new Date(Date.now() - 5 * DAY_MS - 60_000) }, { where: { id: failing.id } });
    await moveClaim(await buildClaim({ tenantId: tenant.id }));

    const disabled = await eventually(
      () => WebhookEndpoint.findByPk(failing.id, { rejectOnEmpty: true }),
      (row) => row.disabledAt !== null,
      'the endpoint disabled',
      30_000,
    );
    expect(disabled.disabledReason).toBe('failing');
    const notice = await stack.smtp.waitFor((mail) => mail.subject.includes('webhook endpoint was disabled'));
    expect(notice.to).toEqual([admin.email.toLowerCase()]);
    expect(notice.text).toContain(receiver.url);
    expect(receiver.received).toHaveLength(1);
    await eventually(
      () => WebhookDelivery.findOne({ where: { endpointId: failing.id }, rejectOnEmpty: true }),
      (delivery) => delivery.status === 'cancelled' && delivery.nextAttemptAt === null,
      'its delivery stopped',
    );
    expect(await AuditEvent.count({ where: { entityId: failing.id, action: 'webhook_endpoint.disabled_failing' } })).toBe(1);
    const shown = await stack.api.get(`/api/v1/webhooks/endpoints/${failing.id}`).set(as(admin)).expect(200);
    expect(shown.body).toMatchObject({ enabled: false, disabledReason: 'failing' });

    // Enabled again: its failures are forgotten.
    await stack.api.patch(`/api/v1/webhooks/endpoints/${failing.id}`).set(as(admin)).send({ enabled: true }).expect(200);
    expect(await WebhookEndpoint.findByPk(failing.id)).toMatchObject({ disabledAt: null, disabledReason: null, failingSince: null });
    expect(stack.smtp.messages.filter((mail) => mail.subject.includes('webhook endpoint was disabled'))).toHaveLength(1);
  } finally {
    await receiver.close();
  }
});

it('keeps an endpoint failing for less than 5 days, and a success ends its streak', async () => {
  const receiver = await startReceiver([500, 200]);
  try {
    const endpoint = await endpointFor(receiver.url);
    const since = new Date(Date.now() - 4 * DAY_MS);
    await WebhookEndpoint.update({ failingSince: since }, { where: { id: endpoint.id } });
    await moveClaim(await buildClaim({ tenantId: tenant.id }));
    await waitUntil(() => receiver.received.length === 1, 'the failed attempt');
    await eventually(
      () => WebhookDelivery.findOne({ where: { endpointId: endpoint.id }, rejectOnEmpty: true }),
      (delivery) => delivery.attemptCount === 1,
      'the attempt recorded',
    );
    expect(await WebhookEndpoint.findByPk(endpoint.id)).toMatchObject({ disabledAt: null, failingSince: since });
    await waitUntil(() => receiver.received.length === 2, 'the retry, 5 s later', 30_000);
    await eventually(
      () => WebhookEndpoint.findByPk(endpoint.id, { rejectOnEmpty: true }),
      (row) => row.failingSince === null,
      'the streak ended by the success',
    );
  } finally {
    await receiver.close();
  }
});

it("records an attempt locking the endpoint's row before its delivery's, the order of a deletion, so the two never deadlock", async () => {
  const receiver = await startReceiver([200]);
  const sequelize = stack.deps.sequelize;
  try {
    const endpoint = await endpointFor(receiver.url);
    // Failing until now: the success ends the streak, so the attempt writes the endpoint's row.
    await WebhookEndpoint.update({ failingSince: new Date(Date.now() - DAY_MS) }, { where: { id: endpoint.id } });
    const event = await WebhookEvent.create({
      tenantId: tenant.id,
      type: 'com.insurflow.claim.stage_changed',
      subject: 'claims/lock-order',
      data: {},
      time: new Date(),
      dedupeKey: `lock-order:${endpoint.id}`,
    });
    const delivery = await WebhookDelivery.create({ tenantId: tenant.id, endpointId: endpoint.id, eventId: event.id });

    // A share lock on the endpoint's row, as a deletion's would be: the attempt must wait for it before writing anything.
    const holder = await sequelize.transaction();
    const attempting = (async () => {
      await sequelize.query('SELECT id FROM webhook_endpoints WHERE id = :id FOR SHARE', {
        replacements: { id: endpoint.id },
        transaction: holder,
      });
      return new MockActivityEnvironment().run(createWebhookDeliveryActivities(stack.deps).attemptWebhookDelivery, {
        deliveryId: delivery.id,
        attemptKey: '0-1',
        nextDelayMs: null,
      });
    })();
    try {
      await untilOneWaitsForLock(sequelize, '%webhook_endpoints%', 'the attempt waiting on the endpoint');
      // Its delivery's row is free meanwhile: a deletion holding the endpoint could go on to it.
      await sequelize.transaction((probe) =>
        sequelize.query('SELECT id FROM webhook_deliveries WHERE id = :id FOR UPDATE NOWAIT', {
          replacements: { id: delivery.id },
          transaction: probe,
        }),
      );
    } finally {
      await holder.commit();
    }
    await expect(attempting).resolves.toEqual({ done: true });
    expect(await WebhookDelivery.findByPk(delivery.id)).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(await WebhookEndpoint.findByPk(endpoint.id)).toMatchObject({ failingSince: null });
  } finally {
    await receiver.close();
  }
});

it('replays what a receiver missed since a time, with the same event ids; refuses a time out of bounds or a disabled endpoint', async () => {
  const down = await startReceiver([503]);
  const endpoint = await endpointFor(down.url);
  const before = new Date();
  for (let i = 0; i < 3; i += 1) await moveClaim(await buildClaim({ tenantId: tenant.id }));
  await waitUntil(() => down.received.length === 3, 'three first attempts');
  const firstIds = down.received.map((message) => message.headers['webhook-id']);
  await down.close();
  // An operator gives up on the retries meanwhile (their runs terminated): the deliveries end failed.
  const deliveries = await eventually(
    () => WebhookDelivery.findAll({ where: { endpointId: endpoint.id } }),
    (rows) => rows.length === 3 && rows.every((delivery) => delivery.attemptCount === 1),
    'three first attempts recorded',
  );
  for (const delivery of deliveries)
    await stack.temporal.workflow.getHandle(webhookDeliveryRun.id(delivery.id)).terminate('operator: test');
  await WebhookDelivery.update({ status: 'failed', nextAttemptAt: null }, { where: { endpointId: endpoint.id } });

  const up = await startReceiver([200], down.port);
  try {
    const replayed = await stack.api
      .post(`/api/v1/webhooks/endpoints/${endpoint.id}/replay`)
      .set(as(admin))
      .send({ since: before.toISOString() })
      .expect(202);
    expect(replayed.body).toEqual({ replayed: 3, continueFrom: null });
    await waitUntil(() => up.received.length >= 3, 'the three replays at the receiver', 30_000);
    const replayedIds = up.received.map((message) => new Webhook(endpoint.secret).verify(message.body, message.headers) as { id: string });
    expect(replayedIds.map(({ id }) => id).sort()).toEqual([...firstIds].sort());
    await eventually(
      () => WebhookDelivery.findAll({ where: { endpointId: endpoint.id } }),
      (deliveries) => deliveries.every((delivery) => delivery.status === 'delivered' && delivery.replays === 1),
      'all delivered on their replay',
    );
    // Nothing failed is left: a second request replays none; delivered ones only when asked.
    const again = () => stack.api.post(`/api/v1/webhooks/endpoints/${endpoint.id}/replay`).set(as(admin));
    expect((await again().send({ since: before.toISOString() }).expect(202)).body).toEqual({ replayed: 0, continueFrom: null });
    expect((await again().send({ since: before.toISOString(), includeDelivered: true }).expect(202)).body.replayed).toBe(3);
    expect(await AuditEvent.count({ where: { entityId: endpoint.id, action: 'webhook_endpoint.replay_since' } })).toBe(3);

    await again()
      .send({ since: new Date(Date.now() + 60_000).toISOString() })
      .expect(422);
    await again()
      .send({ since: new Date(Date.now() - 31 * DAY_MS).toISOString() })
      .expect(422);
    await again().send({ since: 'yesterday' }).expect(400);
    // A day not in the calendar is malformed (400), not read as another one (2026-09-31 as 1 October).
    const notADay = await again().send({ since: '2026-09-31T00:00:00Z' }).expect(400);
    expect(notADay.body.error.details).toEqual([expect.objectContaining({ field: 'body.since' })]);
    await stack.api
      .post(`/api/v1/webhooks/endpoints/${endpoint.id}/replay`)
      .set(as(agent))
      .send({ since: before.toISOString() })
      .expect(403);
    const outsider = await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
    await stack.api
      .post(`/api/v1/webhooks/endpoints/${endpoint.id}/replay`)
      .set(as(outsider))
      .send({ since: before.toISOString() })
      .expect(404);
    await stack.api.patch(`/api/v1/webhooks/endpoints/${endpoint.id}`).set(as(admin)).send({ enabled: false }).expect(200);
    await again().send({ since: before.toISOString() }).expect(409);
  } finally {
    await up.close();
  }
});

it('refuses (409) a replay of one delivery to a disabled endpoint; a delivery the receiver took stays delivered when its endpoint is disabled under a replay', async () => {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // The replay's request is held until the endpoint is disabled, then refused: its run waits for a next attempt that finds it disabled.
  const receiver = await startReceiver([200, 500], 0, undefined, (request) => (request === 1 ? released : undefined));
  try {
    const endpoint = await endpointFor(receiver.url);
    await moveClaim(await buildClaim({ tenantId: tenant.id }));
    const [taken] = await eventually(
      () => WebhookDelivery.findAll({ where: { endpointId: endpoint.id } }),
      (rows) => rows.length === 1 && rows[0].status === 'delivered',
      'the delivery taken by the receiver',
    );
    const replay = () => stack.api.post(`/api/v1/webhooks/endpoints/${endpoint.id}/deliveries/${taken.id}/replay`).set(as(admin));
    const enable = (enabled: boolean) =>
      stack.api.patch(`/api/v1/webhooks/endpoints/${endpoint.id}`).set(as(admin)).send({ enabled }).expect(200);
    const delivered = async () =>
      (await stack.api.get(`/api/v1/webhooks/endpoints/${endpoint.id}/deliveries?status=delivered`).set(as(admin)).expect(200)).body
        .items as Array<{ id: string }>;

    await enable(false);
    const refused = await replay().expect(409);
    expect(refused.body.error.message).toBe('The endpoint is disabled: enable it before replaying to it');
    expect(await WebhookDelivery.findByPk(taken.id)).toMatchObject({ status: 'delivered', replays: 0, deliveredAt: taken.deliveredAt });
    expect(await AuditEvent.count({ where: { entityId: taken.id, action: 'webhook_delivery.replay' } })).toBe(0);
    expect((await delivered()).map(({ id }) => id)).toEqual([taken.id]);

    await enable(true);
    await replay().expect(202);
    await waitUntil(() => receiver.received.length === 2, 'the replay at the receiver');
    await enable(false);
    release();
    const ended = await eventually(
      () => WebhookDelivery.findByPk(taken.id, { rejectOnEmpty: true }),
      (row) => row.status !== 'pending',
      "the replay's run ended by the disabled endpoint",
      30_000,
    );
    expect(ended).toMatchObject({ status: 'delivered', replays: 1, deliveredAt: taken.deliveredAt, nextAttemptAt: null });
    expect((await delivered()).map(({ id }) => id)).toEqual([taken.id]);
    expect(receiver.received).toHaveLength(2);
  } finally {
    release();
    await receiver.close();
  }
});
