/**
 * Staff naming the policyholder a quote is for (docs/quotes.md, Quotes), through the real API on PostgreSQL and
 * Temporal: POST /quotes with `policyholderId` records that holder, who then sees the quote and may bind it, as staff
 * may for them and for no one else; another policyholder neither sees nor binds it. A name staff may not use (unknown,
 * another tenant's, staff, deactivated or erased, not verified yet) is 404 and a policyholder naming another 403, as
 * subscribe answers them, nothing recorded; the public catalog takes no holder.
 */
import crypto from 'node:crypto';
import { Plan, Quote, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { buildRatingVersion, RISK } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe('a quote staff ask for a named policyholder', () => {
  const stack = testStackOfBlock();
  const client = apiClient(() => stack);
  let tenant: Tenant;
  let plan: Plan;
  let holder: User;
  let neighbour: User;
  let agent: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    [holder, neighbour, agent] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
    ]);
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    await buildRatingVersion(plan, admin.id);
  });

  const ask = (as: User, body: object) =>
    stack.api
      .post('/api/v1/quotes')
      .set('Authorization', bearer(stack.config, as))
      .send({ planId: plan.id, risk: RISK, ...body });
  const bind = (as: User, body: object) =>
    stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', bearer(stack.config, as))
      .set('Idempotency-Key', crypto.randomUUID())
      .send(body);
  const quotesAskedBy = (user: User) => Quote.count({ where: { requestedById: user.id } });

  it('records the holder staff name, who sees the quote and binds it; another policyholder neither sees nor binds it', async () => {
    const asked = await ask(agent, { policyholderId: holder.id }).expect(201);
    expect(asked.body).toMatchObject({ requestedById: agent.id, policyholderId: holder.id, status: 'quoted' });
    await expect(Quote.findByPk(asked.body.id)).resolves.toMatchObject({ requestedById: agent.id, policyholderId: holder.id });

    // The holder finds it among their quotes; the neighbour does not, nor by its id.
    const listed = await stack.api.get('/api/v1/quotes').set('Authorization', bearer(stack.config, holder)).expect(200);
    expect(listed.body.items.map((quote: { id: string }) => quote.id)).toContain(asked.body.id);
    await stack.api.get(`/api/v1/quotes/${asked.body.id}`).set('Authorization', bearer(stack.config, neighbour)).expect(404);
    const refused = await bind(neighbour, { quoteId: asked.body.id }).expect(404);
    expect(refused.body.error).toMatchObject({ code: 'not_found' });
    await expect(Quote.findByPk(asked.body.id)).resolves.toMatchObject({ status: 'quoted', subscriptionId: null });

    const bound = await bind(holder, { quoteId: asked.body.id }).expect(202);
    await expect(Subscription.findByPk(bound.body.id)).resolves.toMatchObject({ policyholderId: holder.id, quoteId: asked.body.id });
  });

  it('lets staff bind it for that holder only, and GraphQL name the holder as REST does', async () => {
    const { requestQuote } = await client.data<{ requestQuote: { id: string; requestedById: string; policyholderId: string } }>(
      'mutation($planId: ID!, $risk: RiskInput!, $holder: ID) { requestQuote(planId: $planId, risk: $risk, policyholderId: $holder) { id requestedById policyholderId } }',
      { planId: plan.id, risk: RISK, holder: holder.id },
      agent,
    );
    expect(requestQuote).toMatchObject({ requestedById: agent.id, policyholderId: holder.id });

    const refused = await bind(agent, { quoteId: requestQuote.id, policyholderId: neighbour.id }).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'quote_of_another_holder', details: [{ field: 'policyholderId' }] });
    expect(await Subscription.count({ where: { quoteId: requestQuote.id } })).toBe(0);

    const bound = await bind(agent, { quoteId: requestQuote.id, policyholderId: holder.id }).expect(202);
    await expect(Subscription.findByPk(bound.body.id)).resolves.toMatchObject({ policyholderId: holder.id, quoteId: requestQuote.id });
  });

  it('refuses (404) naming anyone but an active, verified policyholder of the tenant, recording nothing', async () => {
    const other = await buildTenant();
    const names = await Promise.all([
      buildUser({ tenantId: other.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'underwriter' }),
      // An erased account is inactive (docs/privacy.md), as is one deactivated.
      buildUser({ tenantId: tenant.id, role: 'policyholder', isActive: false }),
      buildUser({ tenantId: tenant.id, role: 'policyholder', emailVerifiedAt: null }),
    ]);
    const before = await quotesAskedBy(agent);
    for (const id of [crypto.randomUUID(), ...names.map((user) => user.id)]) {
      const refused = await ask(agent, { policyholderId: id }).expect(404);
      expect(refused.body.error).toMatchObject({ code: 'not_found' });
    }
    expect(await quotesAskedBy(agent)).toBe(before);
    await ask(agent, { policyholderId: 'not-an-id' }).expect(400);
  });

  it('refuses (403) a policyholder naming another, and takes no holder on the public catalog', async () => {
    const refused = await ask(holder, { policyholderId: neighbour.id }).expect(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden' });
    expect(await quotesAskedBy(holder)).toBe(0);
    // Naming themselves is what they are quoted for anyway.
    const own = await ask(holder, { policyholderId: holder.id }).expect(201);
    expect(own.body).toMatchObject({ requestedById: holder.id, policyholderId: holder.id });

    const before = await Quote.count({ where: { tenantId: tenant.id } });
    await stack.api
      .post(`/api/v1/catalog/${tenant.slug}/quotes`)
      .send({ planId: plan.id, risk: RISK, policyholderId: holder.id })
      .expect(400);
    expect(await Quote.count({ where: { tenantId: tenant.id } })).toBe(before);
  });
});
