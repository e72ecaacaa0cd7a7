/**
 * Cover is not bought after the loss (docs/claims.md, Cover by policy version): a raise of cover recorded after an
 * incident does not reach it, while a cut takes effect as agreed. Real API, worker, PostgreSQL: policies taken out,
 * changed and claimed on through the API on one day, as a holder did who raised their cover in the afternoon and
 * claimed the new cover for a loss of that night.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Claim, type Plan, SubscriptionVersion } from '../../src/models';
import { recordApproval } from '../support/claim-approvals';
import { buildPlan } from '../support/factories';
import { apiClient } from '../support/graphql';
import { activePolicyThroughApi } from '../support/policy-runs';
import { startTestStack, TestStack } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { type ClaimsTeam, createClaimsTeam } from './fixtures';

const today = () => new Date().toISOString().slice(0, 10);

describe('a raise of cover recorded after the incident does not cover it (real API)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let plans: { issued: Plan; raised: Plan; cut: Plan };
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    const issued = await buildPlan({ tenantId: team.tenant.id, coverageAmount: '5000000.00', premium: '600.00' });
    const sameCategory = { categoryId: issued.categoryId, premium: '600.00' };
    plans = {
      issued,
      raised: await buildPlan({ ...sameCategory, coverageAmount: '9000000.00', premium: '900.00' }),
      cut: await buildPlan({ ...sameCategory, coverageAmount: '3000000.00', premium: '400.00' }),
    };
  });
  afterAll(() => stack?.close());
  // A test issues a policy, changes it from today and files a loss of today, and reads today in the API's answers: one UTC day.
  beforeEach(() => utcDayLasting());

  const policy = () => activePolicyThroughApi(stack, as(team.claimant).Authorization, plans.issued.id);

  /** The holder changes the policy's plan from today on: quoted, then confirmed and applied. */
  async function changePlan(id: string, plan: Plan): Promise<void> {
    const path = `/api/v1/subscriptions/${id}/changes`;
    const quoted = await stack.api.post(path).set(as(team.claimant)).send({ effectiveDate: today(), planId: plan.id });
    expect([quoted.status, quoted.body.error]).toEqual([201, undefined]);
    const applied = await stack.api.post(`${path}/${quoted.body.id}/apply`).set(as(team.claimant));
    expect([applied.status, applied.body.status]).toEqual([200, 'applied']);
  }

  /**
   * A claim for a loss of today, which the API takes at 00:00 UTC (docs/claims.md): before any change a test makes. Named by its
   * day alone: an hour of today (it was 01:00) is in the future until that hour, and was refused 400 then.
   */
  const file = (subscriptionId: string, amountClaimed: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId, incidentDate: today(), amountClaimed, description: 'Burst pipe flooded the kitchen' });

  const versionsOf = async (subscriptionId: string) =>
    (await SubscriptionVersion.findAll({ where: { subscriptionId }, order: [['number', 'ASC']] })).map((version) => version.id);

  it('a raise applied after the loss: the claim is judged by, and tied to, the version the policy had; the approval too', async () => {
    const id = await policy();
    await changePlan(id, plans.raised);
    const [issued, raised] = await versionsOf(id);
    expect(raised).toBeDefined();

    const refused = await file(id, '9000000').expect(422);
    expect(refused.body.error.details).toEqual([
      { field: 'amountClaimed', message: `must not exceed 5000000.00, the cover of policy version 1 in force on ${today()}` },
    ]);
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);

    const filed = await file(id, '5000000').expect(201);
    expect(filed.body.subscriptionVersionId).toBe(issued);
    const detail = await stack.api.get(`/api/v1/claims/${filed.body.id}`).set(as(team.manager)).expect(200);
    expect(detail.body.subscriptionVersion).toMatchObject({ id: issued, number: 1, coverageAmount: '5000000.00' });

    // The approval reads the same cover: not a yen of the raise for this loss.
    const claim = await Claim.findByPk(filed.body.id, { rejectOnEmpty: true });
    const approval = await recordApproval(stack.deps, claim, team.manager.id, 5_000_001).catch((err: unknown) => err);
    expect(approval).toBeInstanceOf(ApplicationFailure);
    expect(approval).toMatchObject({ type: 'CoverageExceeded', details: [[expect.objectContaining({ coverage: 5_000_000 })]] });
    expect(await Claim.findByPk(claim.id)).toMatchObject({ status: 'reported', amountApproved: null });
  });

  it('a raise confirmed after the claim is applied (it moves no claim), and the claim keeps the cover it was filed under', async () => {
    const id = await policy();
    const filed = await file(id, '5000000').expect(201);
    await changePlan(id, plans.raised);
    const [issued] = await versionsOf(id);
    expect(await Claim.findByPk(filed.body.id)).toMatchObject({ subscriptionVersionId: issued });
    const claim = await Claim.findByPk(filed.body.id, { rejectOnEmpty: true });
    const approval = await recordApproval(stack.deps, claim, team.manager.id, 5_000_001).catch((err: unknown) => err);
    expect(approval).toMatchObject({ type: 'CoverageExceeded', details: [[expect.objectContaining({ coverage: 5_000_000 })]] });
  });

  it('a cut applied after the loss takes effect as agreed: the claim is judged by the version in force that day', async () => {
    const id = await policy();
    await changePlan(id, plans.cut);
    const [, cut] = await versionsOf(id);

    const refused = await file(id, '4000000').expect(422);
    expect(refused.body.error.details).toEqual([
      { field: 'amountClaimed', message: `must not exceed 3000000.00, the cover of policy version 2 in force on ${today()}` },
    ]);
    const filed = await file(id, '3000000').expect(201);
    expect(filed.body.subscriptionVersionId).toBe(cut);
  });
});
