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

  const asOf = (holder: User, id: string, date: string) => stack.api.get(`/api/v1/subscriptions/${id}?asOf=${date}`).set(as(holder));
  const versionAsOfQuery = `query ($id: ID!, $date: String!) { subscription(id: $id) { versionAsOf(date: $date) { number } } }`;
  const versionAsOf = async (holder: User, id: string, date: string) =>
    (await data<{ subscription: { versionAsOf: { number: number } | null } }>(versionAsOfQuery, { id, date }, holder)).subscription
      .versionAsOf;

  /** A claim for a loss today on the holder's policy (201): its id and the number of the version that judged it. */
  async function claimForToday(id: string): Promise<{ claimId: string; judgedBy: number }> {
    const filed = await fileClaim(team.claimant, id, day(0)).expect(201);
    const detail = await stack.api.get(`/api/v1/claims/${filed.body.id}`).set(as(team.manager)).expect(200);
    return { claimId: filed.body.id as string, judgedBy: detail.body.subscriptionVersion.number as number };
  }

  /** Moves the claim through review as its handlers do, `to` approved (then paid by the run) or denied; waits for it to close. */
  async function decide(claimId: string, to: { to: 'approved'; approvedAmount: number } | { to: 'denied'; reason: string }): Promise<void> {
    const move = (user: User, body: object) => stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body).expect(200);
    await stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await move(team.adjuster, { to: 'under_review' });
    if (to.to === 'approved') await move(team.adjuster, { to: 'waiting_approval' });
    await move(team.adjuster, to);
    await eventually(
      () => Claim.findByPk(claimId),
      (claim) => claim?.status === 'closed',
      `claim ${claimId} closed`,
      WAIT_BOUND_MS,
    );
  }

  /** A later claim for the cancellation day, refused as no longer covered: only the losses claimed before the cancellation are. */
  const coverEndedWithCancellation = () => ({
    message: 'The policy’s cover ended with its cancellation',
    details: [
      {
        field: 'incidentDate',
        message: `the policy was cancelled on ${day(0)}: only the losses of ${day(0)} claimed before the cancellation are covered`,
      },
    ],
  });

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
    await decide(claimId, { to: 'approved', approvedAmount: 2500 });
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

  it('a policy cancelled on the day its cover began covered no day: a claim is refused saying so, not that it covered until the day before', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    expect(await Subscription.findByPk(id)).toMatchObject({ coverBeganOn: day(0) });
    await cancel(team.claimant, id);

    const refused = await fileClaim(team.claimant, id, day(0)).expect(422);
    expect(refused.body.error.details).toEqual([
      { field: 'subscriptionId', message: `the policy was cancelled on ${day(0)}, the day its cover was to begin: it covered no day` },
    ]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);
  });

  it('after a cancellation no version is in force: ?asOf= answers 404 and versionAsOf null, before it the version as before', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    await cancel(team.claimant, id);

    expect((await asOf(team.claimant, id, day(-1)).expect(200)).body).toMatchObject({ status: 'cancelled', version: { number: 1 } });
    const after = await asOf(team.claimant, id, day(0)).expect(404);
    expect(after.body.error.code).toBe('not_found');

    await expect(versionAsOf(team.claimant, id, day(-1))).resolves.toEqual({ number: 1 });
    await expect(versionAsOf(team.claimant, id, day(0))).resolves.toBeNull();
  });

  it('a policy cancelled the day its cover began, after a loss of that day was claimed and paid, covered that day for that loss', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    expect(await Subscription.findByPk(id)).toMatchObject({ coverBeganOn: day(0) });
    const { claimId, judgedBy } = await claimForToday(id);
    await decide(claimId, { to: 'approved', approvedAmount: 2500 });
    await cancel(team.claimant, id);

    // What was in force that day is the version that judged the paid claim, over REST and GraphQL alike.
    expect((await asOf(team.claimant, id, day(0)).expect(200)).body).toMatchObject({ status: 'cancelled', version: { number: judgedBy } });
    await expect(versionAsOf(team.claimant, id, day(0))).resolves.toEqual({ number: judgedBy });
    // A loss of that day claimed now, after the cancellation, is not covered; nor was it "a policy that covered no day".
    const refused = await fileClaim(team.claimant, id, day(0)).expect(422);
    expect(refused.body.error).toMatchObject(coverEndedWithCancellation());
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(1);
  });

  it('a policy cancelled weeks into its cover, after a loss of that day was claimed: that day stays in force; a later claim for it is refused', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    const { judgedBy } = await claimForToday(id);
    await cancel(team.claimant, id);

    expect((await asOf(team.claimant, id, day(0)).expect(200)).body).toMatchObject({ version: { number: judgedBy } });
    await expect(versionAsOf(team.claimant, id, day(0))).resolves.toEqual({ number: judgedBy });
    const refused = await fileClaim(team.claimant, id, day(0)).expect(422);
    expect(refused.body.error).toMatchObject(coverEndedWithCancellation());
    // The days before the cancellation's are covered as for any cancelled policy.
    await fileClaim(team.claimant, id, day(-1)).expect(201);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(2);
  });

  it('a loss claimed for such a cancellation day days ago: the days after it are refused, naming the day covered for that loss', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    const { claimId, judgedBy } = await claimForToday(id);
    await cancel(team.claimant, id);
    // As if the loss and the cancellation had been three days ago.
    await Claim.update({ incidentDate: day(-3) }, { where: { id: claimId } });
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    await row.update({ cancelledAt: new Date(row.cancelledAt!.getTime() - 3 * DAY_MS) });

    expect((await asOf(team.claimant, id, day(-3)).expect(200)).body).toMatchObject({ version: { number: judgedBy } });
    await asOf(team.claimant, id, day(-2)).expect(404);
    const refused = await fileClaim(team.claimant, id, day(-1)).expect(422);
    expect(refused.body.error.message).toBe('The incident date is after the policy’s cover ended');
    expect(refused.body.error.details).toEqual([
      {
        field: 'incidentDate',
        message: `the policy was cancelled on ${day(-3)}: it covered incidents until ${day(-4)}, and the losses of ${day(-3)} claimed before the cancellation`,
      },
    ]);
  });

  it('a loss of the cancellation day claimed before it keeps that day in force though the claim was denied', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, plan.id);
    await coverBeganDaysAgo(id, 40);
    const { claimId, judgedBy } = await claimForToday(id);
    await decide(claimId, { to: 'denied', reason: 'Not covered: wear and tear' });
    await cancel(team.claimant, id);

    // The policy was in force when the loss was claimed; the denial judged the loss, not whether the day was covered.
    expect((await asOf(team.claimant, id, day(0)).expect(200)).body).toMatchObject({ version: { number: judgedBy } });
    const refused = await fileClaim(team.claimant, id, day(0)).expect(422);
    expect(refused.body.error).toMatchObject(coverEndedWithCancellation());
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
    // Its terms are recorded, but nothing is in force while the first premium is awaited, nor after.
    await asOf(holder, id, day(-5)).expect(404);
    await cancel(holder, id);
    await asOf(holder, id, day(-5)).expect(404);

    const refused = await fileClaim(holder, id, day(-5)).expect(422);
    expect(refused.body.error.details).toEqual([{ field: 'subscriptionId', message: 'the policy was cancelled before its cover began' }]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);
  });
});
