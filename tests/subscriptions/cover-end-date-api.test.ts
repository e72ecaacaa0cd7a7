/**
 * A policy's end date is not covered (docs/subscriptions.md, When cover begins and ends): the period of insurance
 * runs from its start date to its end date, the end date excluded, as the schedule prints it, the run expires the
 * policy at 00:00 UTC of that day, a renewal's term begins on it and a cancellation's refund counts it out of the
 * term. Claims counted it covered: a loss on the end date of an expired policy was filed (201), and `?asOf=` the end
 * date answered the version. Real API, worker, PostgreSQL.
 */
import { Claim, type Plan, type User } from '../../src/models';
import { buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { activePolicyThroughApi } from '../support/policy-runs';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
const dayBefore = (date: string) => new Date(Date.parse(date) - DAY_MS).toISOString().slice(0, 10);

describe('the end date of a policy is not covered', () => {
  const stack = testStackOfBlock({ worker: true });
  let holder: User;
  let plan: Plan;
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    const tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    plan = await buildPlan({ tenantId: tenant.id });
  });
  // A test dates its policy by day(n) from today and the API judges incidents by its own today: one UTC day.
  beforeEach(() => utcDayLasting());

  const fileClaim = (subscriptionId: string, incidentDate: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId, incidentDate, amountClaimed: 3000, description: 'Storm took the roof off' });
  const asOf = (id: string, date: string) => stack.api.get(`/api/v1/subscriptions/${id}?asOf=${date}`).set(as(holder));

  it('an expired policy covered the day before its end date, not the end date: a loss on it is 422 on incidentDate', async () => {
    // Dated as it is written, so that its first version is in force from its start date.
    const expired = await buildSubscription({
      policyholderId: holder.id,
      planId: plan.id,
      status: 'expired',
      startDate: day(-400),
      endDate: day(-35),
      coverBeganOn: day(-400),
    });

    const refused = await fileClaim(expired.id, day(-35)).expect(422);
    expect(refused.body.error.message).toBe('The incident date is after the policy’s cover ended');
    expect(refused.body.error.details).toEqual([
      { field: 'incidentDate', message: `the policy expired: it covered incidents until ${day(-36)}` },
    ]);
    expect(await Claim.count({ where: { subscriptionId: expired.id } })).toBe(0);

    const onLastDay = await fileClaim(expired.id, day(-36)).expect(201);
    expect(onLastDay.body).toMatchObject({ status: 'reported', subscriptionId: expired.id, incidentDate: day(-36) });
    expect((await asOf(expired.id, day(-36)).expect(200)).body).toMatchObject({ version: { number: 1 } });
    await asOf(expired.id, day(-35)).expect(404);
  });

  it('a running policy has terms in force up to the day before its end date, the day its run expires it', async () => {
    const id = await activePolicyThroughApi(stack, as(holder).Authorization, plan.id);
    const policy = await stack.api.get(`/api/v1/subscriptions/${id}`).set(as(holder)).expect(200);
    const endDate = policy.body.endDate as string;
    expect((await asOf(id, dayBefore(endDate)).expect(200)).body).toMatchObject({ status: 'active', version: { number: 1 } });
    const onEndDate = await asOf(id, endDate).expect(404);
    expect(onEndDate.body.error.code).toBe('not_found');
  });
});
