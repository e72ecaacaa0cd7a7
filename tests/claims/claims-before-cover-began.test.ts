/**
 * Claims on a policy that waited for its first premium (docs/subscriptions.md, When cover begins and
 * ends): its cover begins the day the premium is paid or waived, not on its start date, so a loss in
 * the days it waited is refused (422 on incidentDate, saying from which day the policy covers) and
 * `?asOf=` one of those days answers 404, before the payment and after it alike. Real API, worker,
 * PostgreSQL: a collecting tenant's policy taken out through the API, its dates moved back 10 days
 * while it awaits its premium, as if it had waited that long.
 */
import { Claim, Invoice, Subscription, SubscriptionVersion, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, TestStack } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { eventually } from '../support/waiting';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

describe('claims on a policy whose cover began once its first premium was paid', () => {
  let stack: TestStack;
  let holder: User;
  let admin: User;
  let planId: string;

  const { as, data } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    const tenant = await buildTenant({}, { collectPremiums: true });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    planId = (await buildPlan({ tenantId: tenant.id })).id;
  });
  afterAll(() => stack?.close());
  // The API dates the day cover began (today, at the payment); a test compares it with its own day(0): one UTC day.
  beforeEach(() => utcDayLasting());

  const untilStatus = (id: string, status: string) =>
    eventually(
      () => Subscription.findByPk(id),
      (row) => row?.status === status,
      `subscription ${id} ${status}`,
    );

  /** A policy awaiting its first premium whose term was dated 10 days ago: it has waited that long. */
  async function awaitingSinceTenDays(): Promise<string> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(holder)).send({ planId }).expect(202);
    const id = created.body.id as string;
    await untilStatus(id, 'pending_payment');
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    await row.update({ startDate: day(-10), endDate: day(355) });
    await SubscriptionVersion.update({ effectiveFrom: day(-10) }, { where: { subscriptionId: id, number: 1 } });
    return id;
  }

  const fileClaim = (subscriptionId: string, incidentDate: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId, incidentDate, amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' });

  const asOf = (id: string, date: string) => stack.api.get(`/api/v1/subscriptions/${id}?asOf=${date}`).set(as(holder));

  const versionAsOf = async (id: string, date: string) =>
    (
      await data<{ subscription: { versionAsOf: { number: number } | null } }>(
        `query ($id: ID!, $date: String!) { subscription(id: $id) { versionAsOf(date: $date) { number } } }`,
        { id, date },
        holder,
      )
    ).subscription.versionAsOf;

  it('a loss while the first premium was awaited, claimed once it is paid: 422 on incidentDate; ?asOf= that day 404 before and after', async () => {
    const id = await awaitingSinceTenDays();
    await asOf(id, day(-5)).expect(404);

    const invoice = await Invoice.findOne({ where: { subscriptionId: id, sequence: 1 }, rejectOnEmpty: true });
    await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set(as(admin))
      .set('Idempotency-Key', `first-premium-${id}`)
      .send({ amount: (Number(invoice.amountMinor) / 100).toFixed(2), method: 'bank_transfer' })
      .expect(201);
    await untilStatus(id, 'active');
    // Recorded by the run's move to active: the day it was paid, the term's dates as they were.
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ startDate: day(-10), coverBeganOn: day(0) });

    const refused = await fileClaim(id, day(-5)).expect(422);
    expect(refused.body.error.message).toBe('The incident date is before the policy’s cover began');
    expect(refused.body.error.details).toEqual([
      {
        field: 'incidentDate',
        message: `the policy’s cover began on ${day(0)}, once its first premium was paid or waived: it covers incidents from then`,
      },
    ]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);

    // What was in force on a past day does not change once the premium is paid.
    const before = await asOf(id, day(-5)).expect(404);
    expect(before.body.error.code).toBe('not_found');
    await expect(versionAsOf(id, day(-5))).resolves.toBeNull();
    expect((await asOf(id, day(0)).expect(200)).body).toMatchObject({ status: 'active', version: { number: 1 } });
    await expect(versionAsOf(id, day(0))).resolves.toEqual({ number: 1 });

    const covered = await fileClaim(id, day(0)).expect(201);
    expect(covered.body).toMatchObject({ status: 'reported', subscriptionId: id, incidentDate: day(0) });
  });

  it('a first premium waived by staff begins cover that day too: a loss before it is refused, one on it filed', async () => {
    const id = await awaitingSinceTenDays();
    await stack.api
      .post(`/api/v1/subscriptions/${id}/waive-first-premium`)
      .set(as(admin))
      .send({ reason: 'Paid at the branch' })
      .expect(200);
    await untilStatus(id, 'active');

    const refused = await fileClaim(id, day(-1)).expect(422);
    expect(refused.body.error.details).toEqual([
      {
        field: 'incidentDate',
        message: `the policy’s cover began on ${day(0)}, once its first premium was paid or waived: it covers incidents from then`,
      },
    ]);
    await asOf(id, day(-1)).expect(404);
    await fileClaim(id, day(0)).expect(201);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(1);
  });
});
