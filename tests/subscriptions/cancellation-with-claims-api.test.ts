/**
 * A cancellation that would take cover away from a claim already made is refused (docs/subscriptions.md,
 * Cancelling with claims on its day): a cancellation ends cover on its own day, which the refund gives back
 * as unused, so a claim for an incident that day would be paid while the premium of the day of the loss is
 * returned. Refused 409 naming the claims, at REST for the holder and for a tenant admin and over GraphQL; a
 * denied claim, or one for an incident before the day, does not hold it. Real API, worker, PostgreSQL.
 */
import { Claim, PremiumRefund, Subscription, SubscriptionVersion, type User } from '../../src/models';
import { buildPlan, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { activePolicyThroughApi } from '../support/policy-runs';
import { startTestStack, type TestStack } from '../support/stack';
import { eventually } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam } from '../claims/fixtures';
import { DAY_MS, utcDay } from '../../src/shared/time';

describe('cancelling a policy with claims for incidents on or after the cancellation day', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let admin: User;
  let planId: string;

  const { as, graphql } = apiClient(() => stack);
  const today = () => utcDay(Date.now());

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    planId = (await buildPlan({ tenantId: team.tenant.id })).id;
  });
  afterAll(() => stack?.close());

  const fileClaim = async (subscriptionId: string, incidentDate: string) => {
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId, incidentDate, amountClaimed: 3000, description: 'Storm took the roof off' })
      .expect(201);
    return filed.body as { id: string; claimNumber: string };
  };
  const cancel = (user: User, id: string) =>
    stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(user)).send({ reason: 'Sold the house' });
  const unchanged = async (id: string) => {
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    expect([row.status, row.cancelledAt]).toEqual(['active', null]);
    expect(await PremiumRefund.count({ where: { subscriptionId: id } })).toBe(0);
  };

  it('refuses the cancellation 409 naming the claim, for the holder, an admin and GraphQL; nothing changes', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, planId);
    const claim = await fileClaim(id, today());

    for (const user of [team.claimant, admin]) {
      const refused = await cancel(user, id).expect(409);
      expect(refused.body.error.message).toBe(
        `The cancellation would end the cover of claims already made for incidents on or after ${today()}: ${claim.claimNumber}; ` +
          'cancel once their incident day has passed, or once they are denied',
      );
      expect(refused.body.error.details).toEqual([
        { field: 'id', message: 'a claim already made would lose its cover', claimNumber: claim.claimNumber },
      ]);
    }
    const answer = await graphql(
      'mutation($id: ID!) { cancelSubscription(id: $id, reason: "Sold the house") { id status } }',
      { id },
      team.claimant,
    );
    expect(answer.errors?.[0]).toMatchObject({ message: expect.stringContaining(claim.claimNumber), extensions: { code: 'CONFLICT' } });
    await unchanged(id);
  });

  it('cancels once the claim is denied; a claim for an incident before the day never holds it', async () => {
    const id = await activePolicyThroughApi(stack, as(team.claimant).Authorization, planId);
    // Its cover began days ago, as if issued then: its dates and its first version.
    const began = utcDay(Date.now() - 5 * DAY_MS);
    await Subscription.update({ startDate: began, coverBeganOn: began }, { where: { id } });
    await SubscriptionVersion.update({ effectiveFrom: began }, { where: { subscriptionId: id, number: 1 } });
    const earlier = await fileClaim(id, utcDay(Date.now() - DAY_MS));
    const sameDay = await fileClaim(id, today());
    await cancel(team.claimant, id).expect(409);

    const move = (body: object) => stack.api.post(`/api/v1/claims/${sameDay.id}/transitions`).set(as(team.adjuster)).send(body).expect(200);
    await stack.api.post(`/api/v1/claims/${sameDay.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await move({ to: 'under_review' });
    await move({ to: 'denied', reason: 'Not covered: wear and tear' });
    await eventually(
      () => Claim.findByPk(sameDay.id),
      (row) => row?.status === 'denied' || row?.status === 'closed',
      `claim ${sameDay.claimNumber} denied`,
    );

    const cancelled = await cancel(team.claimant, id).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await Claim.findByPk(earlier.id, { rejectOnEmpty: true })).status).toBe('reported');
  });
});
