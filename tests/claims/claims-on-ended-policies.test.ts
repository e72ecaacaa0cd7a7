/**
 * Claims on a policy whose cover has ended (docs/claims.md, Filing): an expired or cancelled policy
 * still covers the incidents of its cover, reported later, and refuses those after it (422 on
 * incidentDate, saying when cover ended); a policy cancelled before its cover began covers nothing.
 * The version in force after a cancellation is none, over REST and GraphQL alike. Real API, worker,
 * PostgreSQL: policies taken out and cancelled through the API, their dates moved back first so that
 * their cover began weeks ago.
 */
import { Claim, type Plan, Subscription, SubscriptionVersion, type User } from '../../src/models';
import { buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { activePolicyThroughApi } from '../support/policy-runs';
import { startTestStack, TestStack } from '../support/stack';
import { eventually, WAIT_BOUND_MS } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam } from './fixtures';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

describe('claims on expired and cancelled policies', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let plan: Plan;

  const { as, data } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    plan = await buildPlan({ tenantId: team.tenant.id });
  });
  afterAll(() => stack?.close());

  const fileClaim = (holder: User, subscriptionId: string, incidentDate: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId, incidentDate, amountClaimed: 3000, description: 'Storm took the roof off' });

  /**
   * The policy's cover made to begin `days` ago, as if it had been issued then: its dates, the day its cover
   * began (one awaiting its first premium has none) and its first version.
   */
  async function coverBeganDaysAgo(id: string, days: number): Promise<void> {
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    await row.update({ startDate: day(-days), endDate: day(365 - days), ...(row.coverBeganOn && { coverBeganOn: day(-days) }) });
    await SubscriptionVersion.update({ effectiveFrom: day(-days) }, { where: { subscriptionId: id, number: 1 } });
  }

  const cancel = (holder: User, id: string) =>
    stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(holder)).send({ reason: 'Sold the house' }).expect(200);

  it('a cancelled policy covers the incidents before its cancellation day; the claim is filed, approved and paid', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    await cancel(team.claimant, id);

    const filed = await fileClaim(team.claimant, id, day(-10)).expect(201);
    expect(filed.body).toMatchObject({ status: 'reported', incidentDate: day(-10) });
    const detail = await stack.api.get(`/api/v1/claims/${filed.body.id}`).set(as(team.manager)).expect(200);
    expect(detail.body.subscriptionVersion).toMatchObject({ number: 1, effectiveFrom: day(-40) });

    // Worked and paid as any claim: nothing on the way asks for a policy still running.
    const claimId = filed.body.id as string;
    const move = (user: User, body: object) => stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body).expect(200);
    await stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await move(team.adjuster, { to: 'under_review' });
    await move(team.adjuster, { to: 'waiting_approval' });
    await move(team.adjuster, { to: 'approved', approvedAmount: 2500 });
    await eventually(
      () => Claim.findByPk(claimId),
      (claim) => claim?.status === 'closed',
      `claim ${claimId} paid and closed`,
      WAIT_BOUND_MS,
    );
    const paid = await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.claimant)).expect(200);
    expect(paid.body).toMatchObject({ status: 'closed', amountApproved: '2500.00', payment: { amount: '2500.00' } });
  });

  it('a cancelled policy refuses an incident on or after its cancellation day (422 on incidentDate, saying when cover ended)', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    await cancel(team.claimant, id);
    const before = await Claim.count({ where: { subscriptionId: id } });

    const refused = await fileClaim(team.claimant, id, day(0)).expect(422);
    expect(refused.body.error.message).toBe('The incident date is after the policy’s cover ended');
    expect(refused.body.error.details).toEqual([
      { field: 'incidentDate', message: `the policy was cancelled on ${day(0)}: it covered incidents until ${day(-1)}` },
    ]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(before);
  });

  it('after a cancellation no version is in force: ?asOf= answers 404 and versionAsOf null, before it the version as before', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    await cancel(team.claimant, id);
    const asOf = (date: string) => stack.api.get(`/api/v1/subscriptions/${id}?asOf=${date}`).set(as(team.claimant));

    expect((await asOf(day(-1)).expect(200)).body).toMatchObject({ status: 'cancelled', version: { number: 1 } });
    const after = await asOf(day(0)).expect(404);
    expect(after.body.error.code).toBe('not_found');

    const query = `query ($id: ID!, $date: String!) { subscription(id: $id) { versionAsOf(date: $date) { number } } }`;
    const versionAsOf = async (date: string) =>
      (await data<{ subscription: { versionAsOf: { number: number } | null } }>(query, { id, date }, team.claimant)).subscription
        .versionAsOf;
    await expect(versionAsOf(day(-1))).resolves.toEqual({ number: 1 });
    await expect(versionAsOf(day(0))).resolves.toBeNull();
  });

  it('an expired policy covers the incidents of its term up to the day before its end date and refuses those after (422 on incidentDate)', async () => {
    const expired = await buildSubscription({
      policyholderId: team.claimant.id,
      planId: plan.id,
      status: 'expired',
      startDate: day(-400),
      endDate: day(-35),
    });
    const onLastDay = await fileClaim(team.claimant, expired.id, day(-36)).expect(201);
    expect(onLastDay.body).toMatchObject({ status: 'reported', subscriptionId: expired.id });

    // The end date itself is not covered: the run expired the policy at 00:00 UTC of it.
    const refused = await fileClaim(team.claimant, expired.id, day(-35)).expect(422);
    expect(refused.body.error.message).toBe('The incident date is after the policy’s cover ended');
    expect(refused.body.error.details).toEqual([
      { field: 'incidentDate', message: `the policy expired: it covered incidents until ${day(-36)}` },
    ]);
    expect(await Claim.count({ where: { subscriptionId: expired.id } })).toBe(1);
  });

  it('a policy awaiting its first premium, or cancelled then, never covered: no version in force, a claim refused on subscriptionId', async () => {
    const tenant = await buildTenant({}, { collectPremiums: true });
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const billed = await buildPlan({ tenantId: tenant.id });
    const created = await stack.api.post('/api/v1/subscriptions').set(as(holder)).send({ planId: billed.id }).expect(202);
    const id = created.body.id as string;
    await eventually(
      () => Subscription.findByPk(id),
      (row) => row?.status === 'pending_payment',
      `subscription ${id} awaiting its first premium`,
    );
    await coverBeganDaysAgo(id, 10);
    const asOf = (date: string) => stack.api.get(`/api/v1/subscriptions/${id}?asOf=${date}`).set(as(holder));
    // Its terms are recorded, but nothing is in force while the first premium is awaited, nor after.
    await asOf(day(-5)).expect(404);
    await cancel(holder, id);
    await asOf(day(-5)).expect(404);

    const refused = await fileClaim(holder, id, day(-5)).expect(422);
    expect(refused.body.error.details).toEqual([{ field: 'subscriptionId', message: 'the policy was cancelled before its cover began' }]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);
  });
});
