/**
 * Binding a quote that names its own plan, the plan's id written in capitals (docs/quotes.md, Binding: `planId` is
 * optional; given, it must be the quote's plan). The schema takes a UUID in either case and subscribing to a plan
 * so named issues the policy; a black-box run binding a quote so was refused 422 "not the quote's plan".
 */
import { Quote, Subscription } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { buildQuote, buildRatingVersion } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe("binding a quote with its plan's id in capitals", () => {
  const stack = testStackOfBlock({ worker: true });

  it('binds it (202) to the policy of its plan, as the plan id in lower case does', async () => {
    const tenant = await buildTenant();
    const [holder, admin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
    ]);
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR' });
    const version = await buildRatingVersion(plan, admin.id);
    const quote = await buildQuote(plan, { requestedById: holder.id, ratingVersionId: version.id });

    const bound = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', bearer(stack.config, holder))
      .send({ quoteId: quote.id, planId: plan.id.toUpperCase() });
    expect([bound.status, bound.body.error]).toEqual([202, undefined]);
    expect(bound.body).toMatchObject({ planId: plan.id, quoteId: quote.id, premium: '475.20' });
    await expect(Quote.findByPk(quote.id)).resolves.toMatchObject({ status: 'bound', subscriptionId: bound.body.id });
    expect(await Subscription.count({ where: { quoteId: quote.id } })).toBe(1);
  });
});
