/**
 * A claim is judged by the policy version in force on its incident date (docs/claims.md, Cover by
 * policy version), on the real API and PostgreSQL: filing checks the amount against that version's
 * cover and records the version, REST and GraphQL show it, and the approval keeps to the same cover,
 * while the subscription's row holds the latest terms.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Claim, type Subscription, type SubscriptionVersion } from '../../src/models';
import { recordApproval } from '../support/claim-approvals';
import { buildClaim, buildPlan, buildSubscription } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, TestStack } from '../support/stack';
import { buildVersions, ClaimsTeam, createClaimsTeam } from './fixtures';

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('claims judged by the policy version in force on the incident date (real API and PostgreSQL)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let subscription: Subscription;
  let asIssued: SubscriptionVersion;
  let reduced: SubscriptionVersion;
  const { as, data } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack();
    team = await createClaimsTeam();
    // Issued covering 100,000.00; a change cut the cover to 40,000.00 from day 10, and the row holds the latest terms.
    subscription = await buildSubscription({ policyholderId: team.claimant.id, coverageAmount: '40000.00' });
    [asIssued, reduced] = await buildVersions(subscription, [
      { effectiveFrom: subscription.startDate!, coverageAmount: '100000.00' },
      { effectiveFrom: dayAfter(subscription.startDate!, 10), coverageAmount: '40000.00' },
    ]);
  });
  afterAll(() => stack?.close());

  const file = (incidentDate: string, amountClaimed: number) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate, amountClaimed, description: 'Roof torn off in the storm' });

  it('files a claim dated before the change under the old cover and records its version; REST and GraphQL show it', async () => {
    const filed = await file(dayAfter(subscription.startDate!, 9), 60_000).expect(201);
    expect(filed.body).toMatchObject({ amountClaimed: '60000.00', subscriptionVersionId: asIssued.id });
    expect(await Claim.findByPk(filed.body.id)).toMatchObject({ subscriptionVersionId: asIssued.id });

    const detail = await stack.api.get(`/api/v1/claims/${filed.body.id}`).set(as(team.manager)).expect(200);
    expect(detail.body.subscriptionVersion).toEqual({
      id: asIssued.id,
      number: 1,
      effectiveFrom: subscription.startDate,
      coverageAmount: '100000.00',
    });
    const graph = await data<{ claim: { subscriptionVersion: { number: number; coverageAmount: string } } }>(
      'query($id: ID!) { claim(id: $id) { subscriptionVersion { number coverageAmount } } }',
      { id: filed.body.id },
      team.manager,
    );
    expect(graph.claim.subscriptionVersion).toEqual({ number: 1, coverageAmount: '100000.00' });
  });

  it('refuses the same amount for an incident on or after the change, naming the version, and files nothing', async () => {
    const before = await Claim.count({ where: { subscriptionId: subscription.id } });
    const refused = await file(reduced.effectiveFrom, 60_000).expect(422);
    expect(refused.body.error.details[0]).toEqual({
      field: 'amountClaimed',
      message: `must not exceed 40000.00, the cover of policy version 2 in force on ${reduced.effectiveFrom}`,
    });
    expect(await Claim.count({ where: { subscriptionId: subscription.id } })).toBe(before);

    const within = await file(reduced.effectiveFrom, 40_000).expect(201);
    expect(within.body.subscriptionVersionId).toBe(reduced.id);
  });

  it('names a yen cover without decimals when it refuses a filing or an approval above it', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY', coverageAmount: '3000000.00' });
    const yen = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    const refused = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: yen.id, incidentDate: yen.startDate, amountClaimed: '3500000', description: 'Flood' })
      .expect(422);
    expect(refused.body.error.details[0].message).toBe(
      `must not exceed 3000000, the cover of policy version 1 in force on ${yen.startDate}`,
    );
    const claim = await buildClaim({ subscriptionId: yen.id, amountClaimed: '3000000.00' });
    const refusal = await recordApproval(stack.deps, claim, team.manager.id, 3_500_000).catch((err: unknown) => err);
    expect(refusal).toMatchObject({
      type: 'CoverageExceeded',
      message: 'Approving 3500000 would take the approvals on this subscription above its coverage of 3000000',
    });
  });

  it('approves a claim dated before the change up to the old cover, and one after it up to the new', async () => {
    const other = await buildSubscription({ policyholderId: team.claimant.id, coverageAmount: '40000.00' });
    await buildVersions(other, [
      { effectiveFrom: other.startDate!, coverageAmount: '100000.00' },
      { effectiveFrom: dayAfter(other.startDate!, 10), coverageAmount: '40000.00' },
    ]);
    const [early, late] = await Promise.all([
      buildClaim({ subscriptionId: other.id, incidentDate: dayAfter(other.startDate!, 3), amountClaimed: '60000.00' }),
      buildClaim({ subscriptionId: other.id, incidentDate: dayAfter(other.startDate!, 12), amountClaimed: '40000.00' }),
    ]);
    const approve = (claim: Claim, amount: number) => recordApproval(stack.deps, claim, team.manager.id, amount);

    await approve(early, 60_000);
    expect(await Claim.findByPk(early.id)).toMatchObject({ status: 'approved', amountApproved: '60000.00' });
    // After the change the cover is 40,000.00, and the approvals on the policy already reach 60,000.00.
    const refusal = await approve(late, 1).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect(refusal).toMatchObject({ type: 'CoverageExceeded', details: [[expect.objectContaining({ coverage: 40_000, available: 0 })]] });
    expect(await Claim.findByPk(late.id)).toMatchObject({ status: 'reported', amountApproved: null });
  });
});
