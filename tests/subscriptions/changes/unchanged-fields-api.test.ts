/**
 * A policy change that names what the policy already has, written another way, over HTTP on the real API and
 * PostgreSQL (docs/subscriptions.md, Policy changes: "A field equal to what the policy has is dropped; a change
 * left with nothing to change is 422"). A black-box run sent a policy's own address with its keys in the order
 * the docs write them and was answered `applied`: a version that changed nothing, its schedule and its mail,
 * since jsonb hands the stored address back in an order of its own. The same for the policy's own plan id in
 * capitals, which the schema takes as a UUID.
 */
import { AuditEvent, Plan, Subscription, SubscriptionChange, Tenant, User } from '../../../src/models';
import { bearer, buildCategory, buildPlan, buildSubscription, buildTenant, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { utcDayLasting } from '../../support/utc-days';

describe('policy changes: what the policy already has, written otherwise, changes nothing', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let owner: User;
  let auth: string;
  let house: Plan;
  let better: Plan;
  let subscription: Subscription;
  let today: string;

  // The address as the policy holds it, written with its keys in the order of the API's documents.
  const address = { line1: 'Alte Strasse 1', line2: 'Hinterhaus', postalCode: '10115', city: 'Berlin', region: 'BE', country: 'DE' };
  const reordered = { country: 'DE', region: 'BE', city: 'Berlin', postalCode: '10115', line2: 'Hinterhaus', line1: 'Alte Strasse 1' };

  beforeAll(async () => {
    tenant = await buildTenant();
    owner = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    auth = bearer(stack.config, owner);
    const category = await buildCategory({ tenantId: tenant.id });
    house = await buildPlan({ categoryId: category.id, premium: '300.00' });
    better = await buildPlan({ categoryId: category.id, coverageAmount: '150000.00', premium: '420.00' });
    subscription = await buildSubscription({ planId: house.id, policyholderId: owner.id, propertyAddress: address });
  });
  // The effective date is today: each test runs within one UTC day.
  beforeEach(async () => {
    today = await utcDayLasting();
  });

  const quote = (body: object) => stack.api.post(`/api/v1/subscriptions/${subscription.id}/changes`).set('Authorization', auth).send(body);
  const recorded = () => SubscriptionChange.count({ where: { subscriptionId: subscription.id } });
  const quoteEvents = () => AuditEvent.count({ where: { entityId: subscription.id, action: 'subscription.change_quote' } });

  it("is 422 for the policy's own address in any key order, and for its own plan id in capitals, recording nothing", async () => {
    for (const propertyAddress of [address, reordered]) {
      const refused = await quote({ effectiveDate: today, propertyAddress }).expect(422);
      expect(refused.body.error.message).toBe('The change changes nothing: every field named is already so');
    }
    const ownPlan = await quote({ effectiveDate: today, planId: house.id.toUpperCase() }).expect(422);
    expect(ownPlan.body.error.message).toBe('The change changes nothing: every field named is already so');
    expect(await recorded()).toBe(0);
    expect(await quoteEvents()).toBe(0);
  });

  it('records only what changes: another plan beside the same address is a change of plan alone', async () => {
    const quoted = await quote({ effectiveDate: today, planId: better.id.toUpperCase(), propertyAddress: reordered }).expect(201);
    expect(quoted.body).toMatchObject({
      status: 'quoted',
      requested: { planId: better.id },
      premiumBefore: '300.00',
      premiumAfter: '420.00',
    });
    expect(Object.keys(quoted.body.requested)).toEqual(['planId']);
    const row = await SubscriptionChange.findByPk(quoted.body.id, { rejectOnEmpty: true });
    expect(row.requested).toEqual({ planId: better.id });
  });
});
