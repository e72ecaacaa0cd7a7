/**
 * The premium timeline through the real API and a real worker on the dev server: a new
 * subscription waits for its first premium; staff may waive it (role-checked, audited, tenant
 * scoped); a manual payment activates it through the run; a claim whose incident falls in a lapse
 * is refused 422 with the reason.
 */
import { AuditEvent, Claim, Invoice, Plan, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { housePlanThroughApi } from '../support/catalog-api';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';
import { aboutPolicy } from '../support/policy-mails';

describe('premium timeline API on the dev server', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let owner: User;
  let admin: User;
  let auth: Record<'owner' | 'agent' | 'admin' | 'manager' | 'otherAdmin', string>;
  let plan: Plan;

  beforeAll(async () => {
    tenant = await buildTenant({}, { collectPremiums: true });
    const other = await buildTenant();
    const [ownerUser, agent, adminUser, manager, otherAdmin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'claims_manager' }),
      buildUser({ tenantId: other.id, role: 'tenant_admin' }),
    ]);
    owner = ownerUser;
    admin = adminUser;
    auth = {
      owner: bearer(stack.config, owner),
      agent: bearer(stack.config, agent),
      admin: bearer(stack.config, admin),
      manager: bearer(stack.config, manager),
      otherAdmin: bearer(stack.config, otherAdmin),
    };
    plan = await housePlanThroughApi(stack, auth.admin);
  });

  async function subscribeUntil(key: string, status: string): Promise<string> {
    const created = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', auth.owner)
      .set('Idempotency-Key', key)
      .send({ planId: plan.id })
      .expect(202);
    await untilStatus(created.body.id, status);
    return created.body.id as string;
  }

  const untilStatus = (id: string, status: string) =>
    eventually(
      () => stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.owner),
      (res) => res.status === 200 && res.body.status === status,
      `subscription ${id} ${status}`,
    );

  const waive = (id: string, who: string) =>
    stack.api.post(`/api/v1/subscriptions/${id}/waive-first-premium`).set('Authorization', who).send({ reason: 'Paid at the branch' });

  it('waits for the first premium; a tenant admin may waive it (audited), other roles 403, another tenant 404', async () => {
    const id = await subscribeUntil('premium-waive-1', 'pending_payment');

    // A claims manager approves claims and their payments: waiving the premium too would give a policy the cover
    // its claim needs (docs/premiums.md, Payments).
    expect((await waive(id, auth.manager).expect(403)).body.error.code).toBe('forbidden');
    await waive(id, auth.agent).expect(403);
    await waive(id, auth.owner).expect(403);
    await waive(id, auth.otherAdmin).expect(404);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ status: 'pending_payment' });

    const waived = await waive(id, auth.admin).expect(200);
    expect(waived.body).toMatchObject({ status: 'active' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({
      status: 'active',
      firstPremiumWaivedById: admin.id,
      firstPremiumWaiverReason: 'Paid at the branch',
    });
    const event = await AuditEvent.findOne({ where: { entityId: id, action: 'subscription.waive_first_premium' } });
    expect(event).toMatchObject({ actorId: admin.id });
    expect(event?.changes.firstPremiumWaiverReason?.after).toBe('Paid at the branch');
    const shown = await stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', auth.admin).expect(200);
    expect(shown.body).toMatchObject({ firstPremiumWaivedById: admin.id, firstPremiumWaiverReason: 'Paid at the branch' });
    // Waived, not paid: the invoice is still owed.
    await expect(Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } })).resolves.toMatchObject({ status: 'open' });
    // Nothing left to waive.
    await waive(id, auth.admin).expect(409);
  });

  it('a manual payment of the first instalment activates the subscription through its run', async () => {
    const id = await subscribeUntil('premium-pay-1', 'pending_payment');
    const invoice = await Invoice.findOne({ where: { subscriptionId: id, sequence: 1 }, rejectOnEmpty: true });
    await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set('Authorization', auth.admin)
      .set('Idempotency-Key', 'premium-pay-1-payment')
      .send({ amount: '300.00', method: 'bank_transfer' })
      .expect(201);
    await untilStatus(id, 'active');
    const about = await aboutPolicy(id);
    await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is active'));
  });

  it('refuses 422, with the reason, a claim whose incident falls in a lapse; creates nothing', async () => {
    const id = await subscribeUntil('premium-lapse-claim-1', 'pending_payment');
    await waive(id, auth.admin).expect(200);
    const subscription = await Subscription.findByPk(id, { rejectOnEmpty: true });
    // As the run records a lapse (tests/subscriptions/premium-timeline.test.ts shows it does).
    await Subscription.sequelize!.query(
      'INSERT INTO lapse_periods (tenant_id, subscription_id, started_on, ended_on) VALUES (:tenantId, :id, :start, NULL)',
      { replacements: { tenantId: tenant.id, id, start: subscription.startDate } },
    );
    const refused = await stack.api
      .post('/api/v1/claims')
      .set('Authorization', auth.owner)
      .send({ subscriptionId: id, incidentDate: subscription.startDate, amountClaimed: 1000, description: 'Storm damage to the roof' })
      .expect(422);
    expect(refused.body.error.message).toContain('lapse');
    expect(refused.body.error.details[0]).toMatchObject({
      field: 'incidentDate',
      message: `coverage has been suspended since ${subscription.startDate}`,
    });
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);
  });
});
