/**
 * Binding a quote into a policy (docs/quotes.md, Binding), end to end on the dev server: the real
 * API and worker, quotes written through their model. The policy is issued at the quoted premium
 * for the risk's sum insured and records its quote; a quote binds once, whoever retries; refusals
 * change nothing; a start Temporal never answered gives the quote back.
 */
import { Connection } from '@temporalio/client';
import type Koa from 'koa';
import supertest from 'supertest';
import { quoteHolderFor } from '../../src/access/quotes';
import { createApp } from '../../src/api/app';
import type { ApiServices } from '../../src/api/runtime/services';
import { closeTemporalClient } from '../../src/api/temporal/calls';
import { IdempotencyRecord, Plan, Quote, RatingVersion, Subscription, Tenant, User } from '../../src/models';
import { temporalClient } from '../../src/services/temporal';
import { requiredEnv } from '../support/env';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy';
import { buildQuote, buildRatingVersion, RISK } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';
import { eventually, waitUntil } from '../support/waiting';

describe('binding a quote into a policy', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let plan: Plan;
  let version: RatingVersion;
  let holder: User;
  let neighbour: User;
  let agent: User;
  let outsider: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    [holder, neighbour, agent, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: other.id, role: 'policyholder' }),
    ]);
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    version = await buildRatingVersion(plan, admin.id);
  });

  const subscribe = (as: User, key: string, body: Record<string, unknown>, api = stack.api) =>
    api.post('/api/v1/subscriptions').set('Authorization', bearer(stack.config, as)).set('Idempotency-Key', key).send(body);

  /** A quote `requester` asked for (null: a visitor), recording its holder as the API records it. */
  const quoteFor = (requester: User | null, overrides: Parameters<typeof buildQuote>[1] = {}) =>
    buildQuote(plan, {
      requestedById: requester?.id ?? null,
      policyholderId: requester && quoteHolderFor(requester),
      ratingVersionId: version.id,
      ...overrides,
    });

  /** The quote is as it was: quoted, bound to nothing, and no policy records it. */
  async function expectUnbound(quote: Quote, status = 'quoted') {
    await expect(Quote.findByPk(quote.id)).resolves.toMatchObject({ status, subscriptionId: null });
    expect(await Subscription.count({ where: { quoteId: quote.id } })).toBe(0);
  }

  it('issues the policy at the quoted premium for the sum insured, records the quote and marks it bound; REST and GraphQL show it', async () => {
    const quote = await quoteFor(holder);
    const created = await subscribe(holder, 'bind-first-1', { quoteId: quote.id }).expect(202);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      planId: plan.id,
      policyholderId: holder.id,
      coverageAmount: '300000.00',
      premium: '475.20',
      quoteId: quote.id,
      quote: {
        id: quote.id,
        ratingVersion: { id: version.id, number: 1, effectiveFrom: version.effectiveFrom },
        risk: RISK,
        breakdown: quote.breakdown,
      },
    });
    await expect(Quote.findByPk(quote.id)).resolves.toMatchObject({ status: 'bound', subscriptionId: id });
    const active = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', bearer(stack.config, holder)).expect(200),
      (res) => res.body.status === 'active',
      `subscription ${id} active`,
    );
    expect(active.body).toMatchObject({ premium: '475.20', coverageAmount: '300000.00', quote: { id: quote.id } });
    // The policy as issued (version 1) has the quoted terms, and the first term is billed at the quoted premium.
    const listed = await stack.api.get('/api/v1/subscriptions').set('Authorization', bearer(stack.config, holder)).expect(200);
    expect(listed.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({ quote: { id: quote.id, risk: RISK } });

    const answer = await stack.api
      .post('/api/graphql')
      .set('Authorization', bearer(stack.config, holder))
      .send({
        query: `query ($id: ID!) { subscription(id: $id) { premium quote { id ratingVersion { number } risk { postcode sumInsured } breakdown { step factor amount } } } }`,
        variables: { id },
      })
      .expect(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.subscription).toEqual({
      premium: '475.20',
      quote: {
        id: quote.id,
        ratingVersion: { number: 1 },
        risk: { postcode: RISK.postcode, sumInsured: RISK.sumInsured },
        breakdown: quote.breakdown.map(({ step, factor, amount }) => ({ step, factor: factor ?? null, amount })),
      },
    });
  });

  it('a visitor quote binds for a signed-in holder; staff bind a holder’s quote for that holder, through GraphQL too', async () => {
    const visitors = await quoteFor(null);
    const created = await subscribe(neighbour, 'bind-visitor-1', { quoteId: visitors.id, planId: plan.id }).expect(202);
    await expect(Quote.findByPk(visitors.id)).resolves.toMatchObject({ status: 'bound', subscriptionId: created.body.id });

    const holders = await quoteFor(holder);
    const answer = await stack.api
      .post('/api/graphql')
      .set('Authorization', bearer(stack.config, agent))
      .send({
        query: `mutation ($quoteId: ID!, $holder: ID!) { subscribe(quoteId: $quoteId, policyholderId: $holder, idempotencyKey: "bind-staff-1") { id premium quote { id } } }`,
        variables: { quoteId: holders.id, holder: holder.id },
      })
      .expect(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.subscribe).toMatchObject({ premium: '475.20', quote: { id: holders.id } });
    await expect(Subscription.findByPk(answer.body.data.subscribe.id)).resolves.toMatchObject({
      quoteId: holders.id,
      policyholderId: holder.id,
    });

    // A quote staff asked for themselves names no holder's risk: they bind it for the holder they name.
    const agents = await quoteFor(agent);
    const issued = await subscribe(agent, 'bind-staff-2', { quoteId: agents.id, policyholderId: neighbour.id }).expect(202);
    expect(issued.body).toMatchObject({ policyholderId: neighbour.id, quoteId: agents.id });
  });

  it("refuses (422) staff binding a holder's quote for another holder, REST and GraphQL, recording nothing", async () => {
    // The quote prices the holder's risk (their building, postcode, sum insured): it is no price for the neighbour's.
    const holders = await quoteFor(holder);
    const users = await User.count({ where: { tenantId: tenant.id } });
    const refused = await subscribe(agent, 'bind-another-1', { quoteId: holders.id, policyholderId: neighbour.id }).expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'quote_of_another_holder',
      details: [{ field: 'policyholderId', message: 'the quote was asked for by another policyholder' }],
    });
    const created = await subscribe(agent, 'bind-another-2', {
      quoteId: holders.id,
      newPolicyholder: { fullName: 'New Neighbour', email: `new-neighbour-${holders.id}@example.com` },
    }).expect(422);
    expect(created.body.error).toMatchObject({
      code: 'quote_of_another_holder',
      details: [{ field: 'newPolicyholder', message: 'the quote was asked for by another policyholder' }],
    });
    const answer = await stack.api
      .post('/api/graphql')
      .set('Authorization', bearer(stack.config, agent))
      .send({
        query: `mutation ($quoteId: ID!, $holder: ID!) { subscribe(quoteId: $quoteId, policyholderId: $holder, idempotencyKey: "bind-another-3") { id } }`,
        variables: { quoteId: holders.id, holder: neighbour.id },
      })
      .expect(200);
    expect(answer.body.data?.subscribe ?? null).toBeNull();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'quote_of_another_holder' }) }),
    ]);
    await expectUnbound(holders);
    expect(await Subscription.count({ where: { policyholderId: neighbour.id, planId: plan.id, quoteId: holders.id } })).toBe(0);
    expect(await User.count({ where: { tenantId: tenant.id } })).toBe(users);
  });

  it("refuses another holder's or another tenant's quote (404), an expired, referred, declined or lapsed one (409), changing nothing", async () => {
    const holders = await quoteFor(holder);
    const unknown = await subscribe(neighbour, 'bind-other-1', { quoteId: holders.id }).expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    await subscribe(outsider, 'bind-other-2', { quoteId: holders.id }).expect(404);
    await expectUnbound(holders);

    const expired = await quoteFor(holder, { validUntil: new Date(Date.now() - 1000) });
    const refused = await subscribe(holder, 'bind-expired-1', { quoteId: expired.id }).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('expired') });
    await expectUnbound(expired);

    for (const status of ['referred', 'declined', 'lapsed'] as const) {
      const quote = await quoteFor(holder, { status });
      const answer = await subscribe(holder, `bind-${status}-1`, { quoteId: quote.id }).expect(409);
      expect(answer.body.error.message).toContain(status);
      await expectUnbound(quote, status);
    }
  });

  it("refuses a plan that is not the quote's (422) and a body naming neither plan nor quote (400)", async () => {
    const quote = await quoteFor(holder);
    const other = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    const answer = await subscribe(holder, 'bind-plan-1', { quoteId: quote.id, planId: other.id }).expect(422);
    expect(answer.body.error.details).toEqual([{ field: 'planId', message: "not the quote's plan" }]);
    await subscribe(holder, 'bind-plan-2', { holderPhone: '+4930123456' }).expect(400);
    await expectUnbound(quote);
  });

  it("refuses (409) a quote whose plan's billing frequency or duration changed since, creating nothing; binds it on the quoted terms", async () => {
    const monthly = await buildPlan({ tenantId: tenant.id, currency: 'EUR', billingFrequency: 'monthly', durationMonths: 12 });
    await buildRatingVersion(monthly, holder.id);
    const admin = bearer(stack.config, await buildUser({ tenantId: tenant.id, role: 'tenant_admin' }));
    const quoted = await stack.api
      .post('/api/v1/quotes')
      .set('Authorization', bearer(stack.config, holder))
      .send({ planId: monthly.id, risk: RISK });
    expect([quoted.status, quoted.body.instalments?.length]).toEqual([201, 12]);
    const quote = (await Quote.findByPk(quoted.body.id, { rejectOnEmpty: true }))!;
    const planTerms = (terms: object) => stack.api.put(`/api/v1/plans/${monthly.id}`).set('Authorization', admin).send(terms).expect(200);

    for (const [moved, message] of [
      [{ billingFrequency: 'annual' }, 'the plan is billed annual now, the quote monthly'],
      [{ durationMonths: 120 }, 'the plan runs 120 months now, the quote 12'],
    ] as const) {
      await planTerms(moved);
      const refused = await subscribe(holder, `bind-moved-${Object.keys(moved)[0]}`, { quoteId: quote.id }).expect(409);
      expect(refused.body.error).toMatchObject({
        code: 'conflict',
        message: "The plan's terms have changed since the quote; ask for a new quote",
        details: [{ field: 'quoteId', message }],
      });
      await expectUnbound(quote);
      await planTerms({ billingFrequency: 'monthly', durationMonths: 12 });
    }

    const bound = await subscribe(holder, 'bind-moved-back', { quoteId: quote.id }).expect(202);
    const policy = await eventually(
      () => Subscription.findByPk(bound.body.id),
      (row) => row?.status === 'active',
      'the policy bound on the quoted terms, active',
    );
    expect(policy).toMatchObject({ billingFrequency: 'monthly', durationMonths: 12, premium: quoted.body.premium });
  });

  it('binds a quote once: a second subscribe is refused (409), the same Idempotency-Key answers the same policy', async () => {
    const quote = await quoteFor(holder);
    const first = await subscribe(holder, 'bind-once-1', { quoteId: quote.id }).expect(202);
    const second = await subscribe(holder, 'bind-once-2', { quoteId: quote.id }).expect(409);
    expect(second.body.error.message).toContain('already bound');

    const replay = await subscribe(holder, 'bind-once-1', { quoteId: quote.id }).expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // As if the API had crashed after starting the run, before storing its answer: the retry attaches to the same run.
    await IdempotencyRecord.destroy({ where: {} });
    const retried = await subscribe(holder, 'bind-once-1', { quoteId: quote.id }).expect(202);
    expect(retried.body).toMatchObject({ id: first.body.id, runId: first.body.runId, quote: { id: quote.id } });
    expect(await Subscription.count({ where: { quoteId: quote.id } })).toBe(1);
    await expect(Quote.findByPk(quote.id)).resolves.toMatchObject({ status: 'bound', subscriptionId: first.body.id });
  });

  it('the OpenAPI document says a subscribe names a plan or a quote, and a subscription answers its quote', async () => {
    const doc = (await stack.api.get('/api/openapi.json').expect(200)).body;
    const body = doc.paths['/api/v1/subscriptions'].post.requestBody.content['application/json'].schema;
    expect(body.anyOf).toEqual([{ required: ['planId'] }, { required: ['quoteId'] }]);
    expect(body.properties.quoteId).toMatchObject({ type: 'string', format: 'uuid' });
    const answer = doc.paths['/api/v1/subscriptions/{id}'].get.responses['200'].content['application/json'].schema;
    expect(answer.properties.quote.properties).toEqual(
      expect.objectContaining({
        id: expect.anything(),
        ratingVersion: expect.anything(),
        risk: expect.anything(),
        breakdown: expect.anything(),
      }),
    );
  });

  describe('with Temporal paused', () => {
    let proxy: PausableProxy;
    let services: ApiServices;
    let api: ReturnType<typeof supertest.agent>;
    let server: ReturnType<Koa['listen']>;

    beforeAll(async () => {
      const [host, port] = requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS').split(':');
      proxy = await startPausableProxy({ host, port: Number(port) });
      const temporal = temporalClient(await Connection.connect({ address: `127.0.0.1:${proxy.port}` }), stack.config.temporal);
      const deadlines = { ...stack.config.deadlines, temporalRpcMs: 1500, temporalUpdateMs: 1500, requestMs: 6000 };
      services = { ...stack.services, temporal, config: { ...stack.config, deadlines } };
      server = createApp(services).listen(0, '127.0.0.1');
      api = supertest.agent(server);
    });
    afterAll(async () => {
      proxy?.resume();
      await new Promise((resolve) => server?.close(resolve));
      if (services) await closeTemporalClient(services.temporal);
      await proxy?.close();
    });

    it('a start that fails answers 503 and gives the quote back; the retry with the same key binds it once', async () => {
      const quote = await quoteFor(holder);
      proxy.pause();
      const refused = await subscribe(holder, 'bind-paused-1', { quoteId: quote.id }, api);
      expect(refused.status).toBe(503);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ dependency: 'temporal' })]);
      // Nothing reaches Temporal while paused (the proxy holds the start): no run recorded a policy, the quote is free.
      await expectUnbound(quote);

      proxy.resume();
      const created = await subscribe(holder, 'bind-paused-1', { quoteId: quote.id }, api).expect(202);
      await waitUntil(async () => (await Subscription.findByPk(created.body.id))?.status === 'active', 'the bound policy active', 20_000);
      expect(await Subscription.count({ where: { quoteId: quote.id } })).toBe(1);
      await expect(Quote.findByPk(quote.id)).resolves.toMatchObject({ status: 'bound', subscriptionId: created.body.id });
    });
  });
});
