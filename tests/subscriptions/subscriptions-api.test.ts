/**
 * End to end on the dev server: the real API, a real worker, PostgreSQL and an SMTP sink.
 */
import { IdempotencyRecord, Plan, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { housePlanThroughApi } from '../support/catalog-api';
import { testStackOfBlock } from '../support/stack';
import { eventually, resultOf } from '../support/waiting';
import { aboutPolicy } from '../support/policy-mails';

describe('subscriptions API with the workflow on the dev server', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let owner: User;
  let admin: User;
  let auth: Record<'owner' | 'neighbour' | 'agent' | 'admin' | 'outsider', string>;
  let plan: Plan;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const [ownerUser, neighbour, agent, adminUser, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: other.id, role: 'policyholder' }),
    ]);
    owner = ownerUser;
    admin = adminUser;
    auth = {
      owner: bearer(stack.config, owner),
      neighbour: bearer(stack.config, neighbour),
      agent: bearer(stack.config, agent),
      admin: bearer(stack.config, admin),
      outsider: bearer(stack.config, outsider),
    };
    plan = await housePlanThroughApi(stack, auth.admin);
  });

  const subscribe = (key: string) =>
    stack.api.post('/api/v1/subscriptions').set('Authorization', auth.owner).set('Idempotency-Key', key).send({ planId: plan.id });

  /** POST answers before the run has activated the subscription; a client polls GET until it has. */
  async function untilActive(id: string) {
    const detail = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.owner).expect(200),
      (res) => res.body.status === 'active',
      `subscription ${id} active`,
    );
    return detail.body;
  }

  it('subscribe → 202 → active run found by TenantId → cancel: row, run and mailbox agree; other callers are refused', async () => {
    const created = await subscribe('subscribe-cancel-1').expect(202);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      status: expect.stringMatching(/^(pending|active)$/),
      policyholderId: owner.id,
      coverageAmount: '100000.00',
      premium: '300.00',
      workflowId: `subscription-${id}`,
      runId: expect.any(String),
      state: null,
    });
    // The API inserted the row before answering, so it can be read at once.
    await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.owner).expect(200);

    const active = await untilActive(id);
    expect(active).toMatchObject({
      runId: created.body.runId,
      state: { status: 'active', startDate: active.startDate, endDate: active.endDate },
    });
    const about = await aboutPolicy(id);
    await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is active'));

    const run = await stack.api.get(`/api/v1/workflows/subscription-${id}`).set('Authorization', auth.admin).expect(200);
    expect(run.body).toMatchObject({ type: 'subscriptionWorkflow', status: 'RUNNING', runId: created.body.runId });
    expect(run.body.searchAttributes).toMatchObject({ TenantId: tenant.id, BusinessStatus: 'active' });
    expect(new Date(run.body.searchAttributes.DueAt).toISOString().slice(0, 10)).toBe(active.endDate);

    await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.outsider).expect(404);
    await stack.api.get(`/api/v1/workflows/subscription-${id}`).set('Authorization', auth.outsider).expect(404);
    // Another policyholder's subscription is answered like a missing one: no existence oracle.
    await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.neighbour).expect(404);
    await stack.api.get(`/api/v1/workflows/subscription-${id}`).set('Authorization', auth.neighbour).expect(404);
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.neighbour).expect(404);
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.outsider).expect(404);
    const agentCancel = await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.agent).expect(403);
    expect(agentCancel.body.error.code).toBe('forbidden');
    const early = await stack.api.post(`/api/v1/subscriptions/${id}/renew`).set('Authorization', auth.owner).expect(409);
    expect(early.body.error).toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('Renewal opens on') });

    const cancelled = await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.owner).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledById: owner.id });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', cancelledById: owner.id });
    await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is cancelled'));
    await resultOf(stack.temporal.workflow.getHandle(`subscription-${id}`));
    const closed = await stack.api.get(`/api/v1/workflows/subscription-${id}`).set('Authorization', auth.owner).expect(200);
    expect(closed.body).toMatchObject({ status: 'COMPLETED', searchAttributes: { BusinessStatus: 'cancelled' } });

    const again = await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.owner).expect(409);
    expect(again.body.error.message).toContain('cancelled');
    const detail = await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.admin).expect(200);
    expect(detail.body).toMatchObject({ status: 'cancelled', state: null });
  });

  it('tells the holder the cover of a yen and a dinar policy with its currency’s decimals once it is active', async () => {
    // A tenant of its own, so the other tests' lists and counts stay as they are.
    const abroad = await buildTenant();
    const holder = bearer(stack.config, await buildUser({ tenantId: abroad.id, role: 'policyholder' }));
    for (const [currency, coverageAmount, written] of [
      ['JPY', '250000.00', '250000'],
      ['KWD', '1234.50', '1234.500'],
    ] as const) {
      const foreign = await buildPlan({ tenantId: abroad.id, currency, coverageAmount, premium: '300.00' });
      const created = await stack.api
        .post('/api/v1/subscriptions')
        .set('Authorization', holder)
        .set('Idempotency-Key', `subscribe-${currency}`)
        .send({ planId: foreign.id })
        .expect(202);
      const { policyNumber } = await Subscription.findByPk(created.body.id, { rejectOnEmpty: true });
      const about = await aboutPolicy(created.body.id);
      const mail = await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is active'));
      expect(mail.text).toContain(`Your subscription ${policyNumber} to ${foreign.name} covers ${written} ${currency} from `);
    }
  });

  it('one Idempotency-Key never starts two runs, even when the stored response is lost', async () => {
    const first = await subscribe('subscribe-twice-1').expect(202);
    const replay = await subscribe('subscribe-twice-1').expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);

    // As if the API had crashed after starting the run but before storing its answer.
    await IdempotencyRecord.destroy({ where: {} });
    const retried = await subscribe('subscribe-twice-1').expect(202);
    // USE_EXISTING attached the retry to the run the first request started.
    expect(retried.body).toMatchObject({ id: first.body.id, runId: first.body.runId });
    expect(await Subscription.count({ where: { policyholderId: owner.id, id: first.body.id } })).toBe(1);
    const runs = stack.temporal.workflow.list({ query: `WorkflowId = 'subscription-${first.body.id}'` });
    let count = 0;
    for await (const run of runs) count += run.workflowId === `subscription-${first.body.id}` ? 1 : 0;
    expect(count).toBe(1);
    // The listing test below counts it among the active ones.
    await untilActive(first.body.id);
  });

  it('lists a policyholder’s own subscriptions, all of them for staff, filtered by status', async () => {
    const mine = await stack.api.get('/api/v1/subscriptions').set('Authorization', auth.owner).expect(200);
    expect(mine.body.items.length).toBeGreaterThanOrEqual(2);
    expect(mine.body.items.every((s: Subscription) => s.policyholderId === owner.id)).toBe(true);
    const neighbours = await stack.api.get('/api/v1/subscriptions').set('Authorization', auth.neighbour).expect(200);
    expect(neighbours.body.pagination.total).toBe(0);

    const cancelled = await stack.api.get('/api/v1/subscriptions?status=cancelled').set('Authorization', auth.admin).expect(200);
    expect(cancelled.body.items.map((s: Subscription) => s.status)).toEqual(['cancelled']);
    const active = await stack.api.get('/api/v1/subscriptions?status=active&pageSize=1').set('Authorization', auth.agent).expect(200);
    expect(active.body.pagination).toMatchObject({ pageSize: 1, total: 1 });
    await stack.api.get('/api/v1/subscriptions?status=suspended').set('Authorization', auth.admin).expect(400);
    const outsider = await stack.api.get('/api/v1/subscriptions').set('Authorization', auth.outsider).expect(200);
    expect(outsider.body.items).toEqual([]);
  });

  it('refuses subscriptions to inactive or foreign plans and by staff naming no holder, starting nothing', async () => {
    const before = await Subscription.count();
    const withdrawn = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', auth.admin)
      .send({
        categoryId: plan.categoryId,
        name: 'Withdrawn',
        coverageLevel: 'basic',
        coverageAmount: 1000,
        premium: 10,
        durationMonths: 6,
        isActive: false,
      })
      .expect(201);
    await stack.api.post('/api/v1/subscriptions').set('Authorization', auth.owner).send({ planId: withdrawn.body.id }).expect(422);
    await stack.api.post('/api/v1/subscriptions').set('Authorization', auth.outsider).send({ planId: plan.id }).expect(422);
    // Staff issue policies for a policyholder they name (tests/subscriptions/issued-policies.test.ts).
    const unnamed = await stack.api.post('/api/v1/subscriptions').set('Authorization', auth.admin).send({ planId: plan.id }).expect(422);
    expect(unnamed.body.error.details[0].field).toBe('policyholderId');
    await stack.api.post('/api/v1/subscriptions').set('Authorization', auth.owner).send({ planId: 'nope' }).expect(400);
    expect(await Subscription.count()).toBe(before);
  });

  it('a cancel sent as soon as the subscription is created is carried out once the run has activated it', async () => {
    const created = await subscribe('subscribe-cancel-at-once-1').expect(202);
    const id = created.body.id as string;
    const cancelled = await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.owner).expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      startDate: expect.any(String),
      state: { status: 'cancelled', changeInProgress: null },
    });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', cancelledById: owner.id });
    const handle = stack.temporal.workflow.getHandle(`subscription-${id}`);
    await expect(resultOf(handle)).resolves.toMatchObject({ status: 'cancelled' });
    // The run settles the cancelled term's invoices (docs/premiums.md, Refunds) before it ends.
    const trail = await stack.api
      .get(`/api/v1/audit-events?entityType=subscription&entityId=${id}`)
      .set('Authorization', auth.admin)
      .expect(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'subscription.create',
      'subscription.activate',
      'subscription.cancel',
      'subscription.refund',
    ]);
    await recordHistory(handle, 'subscriptionWorkflow-cancel-while-activating');
  });

  it('a cancellation reason is bounded, stored on the row, shown in the subscription and told in the e-mail', async () => {
    const created = await subscribe('subscribe-reason-1').expect(202);
    const id = created.body.id as string;
    await untilActive(id);
    const tooLong = await stack.api
      .patch(`/api/v1/subscriptions/${id}/cancel`)
      .set('Authorization', auth.admin)
      .send({ reason: 'x'.repeat(501) })
      .expect(400);
    expect(tooLong.body.error.details).toEqual([expect.objectContaining({ field: 'body.reason' })]);
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.admin).send({ reason: 'ok\ud800' }).expect(400);
    // Told in the e-mail and the audit trail: line breaks are fine, other control characters are not.
    for (const hostile of ['Sold\u0007', 'Sold \u001b[2J', 'Sold\u009b1m'])
      await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth.admin).send({ reason: hostile }).expect(400);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'active', cancellationReason: null });

    const reason = 'Sold the house; the new owner insures it — merci';
    const cancelled = await stack.api
      .patch(`/api/v1/subscriptions/${id}/cancel`)
      .set('Authorization', auth.admin)
      .send({ reason: `  ${reason} ` })
      .expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: reason });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'cancelled', cancellationReason: reason });
    const shown = await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.owner).expect(200);
    expect(shown.body.cancellationReason).toBe(reason);
    const about = await aboutPolicy(id);
    const mail = await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is cancelled'));
    expect(mail.text).toContain(`Reason given: ${reason}`);
    const handle = stack.temporal.workflow.getHandle(`subscription-${id}`);
    await expect(resultOf(handle)).resolves.toMatchObject({ status: 'cancelled' });
    await recordHistory(handle, 'subscriptionWorkflow-cancel-with-reason');

    // The audit trail: created by the policyholder's request, activated by the run, cancelled by the admin with the reason.
    const trail = await stack.api
      .get(`/api/v1/audit-events?entityType=subscription&entityId=${id}`)
      .set('Authorization', auth.admin)
      .expect(200);
    const workflowId = `subscription-${id}`;
    // The pending row is inserted by the API or by the run, whichever comes first: one event either way.
    expect(trail.body.items.map((e: { action: string; actor: object }) => [e.action, e.actor])).toEqual([
      ['subscription.create', { type: 'user', id: owner.id }],
      ['subscription.activate', { type: 'workflow', id: workflowId }],
      ['subscription.cancel', { type: 'user', id: admin.id }],
      ['subscription.refund', { type: 'workflow', id: workflowId }],
    ]);
    expect(trail.body.items.slice(1).map((e: { workflowId: string }) => e.workflowId)).toEqual([workflowId, workflowId, workflowId]);
    expect(trail.body.items[2].changes).toMatchObject({
      status: { before: 'active', after: 'cancelled' },
      cancellationReason: { before: null, after: reason },
    });
  });

  it('answers 202 with the row as stored, written once with one audit event, whether the API or the run inserted it first', async () => {
    const created = await subscribe('subscribe-answer-row-1').expect(202);
    const id = created.body.id as string;
    const row = (await Subscription.findByPk(id))!;
    // The row's fields, the run's, and the quote it was bound from (none: the plan's fixed terms).
    expect(Object.keys(created.body).sort()).toEqual([...Object.keys(row.toJSON()), 'quote', 'runId', 'stale', 'state'].sort());
    expect(created.body).toMatchObject({
      id,
      quoteId: null,
      quote: null,
      tenantId: tenant.id,
      planId: plan.id,
      policyholderId: owner.id,
      coverageAmount: '100000.00',
      premium: '300.00',
      durationMonths: 12,
      renewalCount: 0,
      cancelledAt: null,
      cancellationReason: null,
      workflowId: `subscription-${id}`,
      createdAt: row.createdAt.toISOString(),
      stale: false,
      state: null,
    });

    // A repeat whose stored answer was lost finds the row already there and answers it as it now stands.
    await IdempotencyRecord.destroy({ where: {} });
    const active = await untilActive(id);
    const repeated = await subscribe('subscribe-answer-row-1').expect(202);
    expect(repeated.body).toMatchObject({ id, status: 'active', startDate: active.startDate, createdAt: created.body.createdAt });
    expect(await Subscription.count({ where: { id } })).toBe(1);
    const trail = await stack.api
      .get(`/api/v1/audit-events?entityType=subscription&entityId=${id}&action=subscription.create`)
      .set('Authorization', auth.admin)
      .expect(200);
    expect(trail.body.items).toEqual([expect.objectContaining({ action: 'subscription.create', actor: { type: 'user', id: owner.id } })]);
  });
});
