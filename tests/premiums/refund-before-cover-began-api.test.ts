/**
 * The refund of a policy whose cover began after its start date (docs/premiums.md, Refunds): the days it waited
 * for its first premium were billed but never covered, so a cancellation gives their premium back; only days of
 * cover are used. Real API, worker, PostgreSQL: a collecting tenant's policy of 365.00 a year, its dates moved
 * back 10 days while it awaits its premium (as if it had waited that long), paid today, then cancelled. The
 * refund used to count the 10 days from the start date as used and keep 10.00 of premium for no cover.
 */
import crypto from 'node:crypto';
import { Invoice, type Plan, PremiumRefund, Subscription, SubscriptionVersion, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, type TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

describe('the refund of a policy that waited for its first premium (API)', () => {
  let stack: TestStack;
  let holder: User;
  let admin: User;
  let plan: Plan;
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    const tenant = await buildTenant({}, { collectPremiums: true });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    plan = await buildPlan({ tenantId: tenant.id, premium: '365.00', billingFrequency: 'annual', durationMonths: 12, currency: 'EUR' });
  });
  afterAll(() => stack?.close());

  /** A policy whose term was dated 10 days ago (365 days, to day 355), its 365.00 paid today: cover began today. */
  async function paidAfterWaitingTenDays(): Promise<string> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(holder)).send({ planId: plan.id }).expect(202);
    const id = created.body.id as string;
    // The row awaits its first premium before its invoices are written: the invoice itself is waited for.
    const invoice = await eventually(
      () => Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } }),
      (found) => found !== null,
      `subscription ${id} billed`,
    );
    await Subscription.update({ startDate: day(-10), endDate: day(355) }, { where: { id } });
    await SubscriptionVersion.update({ effectiveFrom: day(-10) }, { where: { subscriptionId: id, number: 1 } });
    await stack.api
      .post(`/api/v1/invoices/${invoice?.id}/payments`)
      .set(as(admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '365.00', method: 'bank_transfer' })
      .expect(201);
    await eventually(
      () => Subscription.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'active',
      `subscription ${id} active`,
    );
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ startDate: day(-10), coverBeganOn: day(0) });
    return id;
  }

  async function cancelAndRefund(id: string): Promise<Array<[number, string]>> {
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(holder)).send({ reason: 'Sold the flat' }).expect(200);
    const refunds = await eventually(
      () => PremiumRefund.findAll({ where: { subscriptionId: id } }),
      (found) => found.length > 0,
      `the cancellation of ${id} refunded`,
    );
    return refunds.map((refund) => [refund.amountMinor, refund.status]);
  }

  it('cancelled the day its cover began: no day of cover used, the whole 365.00 back (the 10 days waited earn nothing)', async () => {
    const id = await paidAfterWaitingTenDays();
    await expect(cancelAndRefund(id)).resolves.toEqual([[36500, 'owed']]);
    const invoice = await stack.api
      .get(`/api/v1/invoices/${(await Invoice.findOne({ where: { subscriptionId: id } }))?.id}`)
      .set(as(holder));
    expect(invoice.body.status).toBe('refunded');
  });

  it('cancelled the day its cover began, a loss of that day claimed: that one day of cover is used, 364.00 back', async () => {
    const id = await paidAfterWaitingTenDays();
    await stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId: id, incidentDate: day(0), amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' })
      .expect(201);
    await expect(cancelAndRefund(id)).resolves.toEqual([[36400, 'owed']]);
  });
});
