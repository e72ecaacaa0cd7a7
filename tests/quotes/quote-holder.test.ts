/**
 * Whom a quote was asked by and for (docs/quotes.md, Quotes; migration 0117), through the real API on PostgreSQL:
 * a policyholder's quote records them as requester and holder, staff's records the requester and no holder, a
 * visitor's neither; REST, its OpenAPI document and GraphQL answer both, and binding reads the recorded holder.
 */
import { Plan, Quote, RatingVersion, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { buildRatingVersion, RISK } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe('whom a quote is asked by and for', () => {
  const stack = testStackOfBlock();
  const client = apiClient(() => stack);
  let tenant: Tenant;
  let plan: Plan;
  let version: RatingVersion;
  let holder: User;
  let neighbour: User;
  let underwriter: User;
  let agent: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    [holder, neighbour, underwriter, agent] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'underwriter' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
    ]);
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    version = await buildRatingVersion(plan, admin.id);
  });

  const ask = (as: User) =>
    stack.api.post('/api/v1/quotes').set('Authorization', bearer(stack.config, as)).send({ planId: plan.id, risk: RISK }).expect(201);

  it("records and answers a policyholder's quote as asked by and for them, in REST and GraphQL", async () => {
    const asked = await ask(holder);
    expect(asked.body).toMatchObject({ ratingVersion: { id: version.id }, requestedById: holder.id, policyholderId: holder.id });
    await expect(Quote.findByPk(asked.body.id)).resolves.toMatchObject({ requestedById: holder.id, policyholderId: holder.id });
    const read = await stack.api.get(`/api/v1/quotes/${asked.body.id}`).set('Authorization', bearer(stack.config, underwriter)).expect(200);
    expect(read.body).toMatchObject({ requestedById: holder.id, policyholderId: holder.id });
    const graph = await client.data<{ quote: { requestedById: string | null; policyholderId: string | null } }>(
      'query($id: ID!) { quote(id: $id) { requestedById policyholderId } }',
      { id: asked.body.id },
      underwriter,
    );
    expect(graph.quote).toEqual({ requestedById: holder.id, policyholderId: holder.id });
  });

  it("records staff's quote as asked by them for no holder, and a visitor's as asked by no one", async () => {
    const staffs = await ask(underwriter);
    expect(staffs.body).toMatchObject({ requestedById: underwriter.id, policyholderId: null });
    await expect(Quote.findByPk(staffs.body.id)).resolves.toMatchObject({ requestedById: underwriter.id, policyholderId: null });

    const visitors = await stack.api.post(`/api/v1/catalog/${tenant.slug}/quotes`).send({ planId: plan.id, risk: RISK }).expect(201);
    expect(visitors.body).toMatchObject({ requestedById: null, policyholderId: null });
    await expect(Quote.findByPk(visitors.body.id)).resolves.toMatchObject({ requestedById: null, policyholderId: null });
  });

  it("describes both in the OpenAPI document's quote answer", async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    const answer = doc.body.paths['/api/v1/quotes/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(answer.properties)).toEqual(expect.arrayContaining(['requestedById', 'policyholderId']));
  });

  it('refuses (422) staff binding a quote for another holder than the one it was recorded for, whatever its requester is now', async () => {
    const asked = await ask(holder);
    // The holder's account became staff's since: the quote still prices the holder's risk, as it recorded.
    await holder.update({ role: 'claims_agent' });
    try {
      const refused = await stack.api
        .post('/api/v1/subscriptions')
        .set('Authorization', bearer(stack.config, agent))
        .set('Idempotency-Key', `quote-holder-${asked.body.id}`)
        .send({ quoteId: asked.body.id, policyholderId: neighbour.id })
        .expect(422);
      expect(refused.body.error).toMatchObject({ code: 'quote_of_another_holder', details: [{ field: 'policyholderId' }] });
      await expect(Quote.findByPk(asked.body.id)).resolves.toMatchObject({ status: 'quoted', subscriptionId: null });
      expect(await Subscription.count({ where: { quoteId: asked.body.id } })).toBe(0);
    } finally {
      await holder.update({ role: 'policyholder' });
    }
  });
});
