/**
 * Separation of duties on the real API, worker, PostgreSQL and Temporal dev server: the claimant
 * under another account never works their own claim, whoever assigned a claim to themselves
 * waits for a second approver, and approvals on one subscription never sum above its coverage,
 * even when two are sent at the same moment.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AuditEvent, Claim, ClaimHistory, type Subscription, type User } from '../../src/models';
import { claimStateQuery } from '../../src/contracts/claim';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { recordApproval } from '../support/claim-approvals';
import { bearer, buildClaim, buildSubscription, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('separation of duties (API)', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;

  beforeAll(async () => {
    team = await createClaimsTeam();
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const assign = (claimId: string, by: User, assignee: User) =>
    stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(by)).send({ assigneeId: assignee.id });
  const transition = (claimId: string, user: User, body: Record<string, unknown>) =>
    stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);

  /** Files a claim over HTTP on `subscription`, or on a new one of `holder` covering `coverageAmount`. */
  async function fileClaim(holder: User, amountClaimed: number, coverage: { coverageAmount?: string; subscription?: Subscription } = {}) {
    const subscription =
      coverage.subscription ??
      (await buildSubscription({ policyholderId: holder.id, coverageAmount: coverage.coverageAmount ?? '100000.00' }));
    const res = await stack.api
      .post('/api/v1/claims')
      .set(as(holder))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed, description: 'Storm damage' })
      .expect(201);
    return { id: res.body.id as string, subscription, workflowId: res.body.workflow.workflowId as string };
  }

  async function toWaitingApproval(claimId: string, handler: User): Promise<void> {
    await assign(claimId, team.manager, handler).expect(200);
    await transition(claimId, handler, { to: 'under_review' }).expect(200);
    await transition(claimId, handler, { to: 'waiting_approval' }).expect(200);
  }

  const stageOf = (workflowId: string) => stack.temporal.workflow.getHandle(workflowId).query(claimStateQuery);

  it('refuses the claimant under a staff account of the same mailbox: not assignable to them, and they neither assign nor move it (403 own_claim)', async () => {
    const senior = await buildUser({ tenantId: team.tenant.id, role: 'senior_adjuster', email: 'sam.cole@example.test' });
    const adjuster = await buildUser({ tenantId: team.tenant.id, role: 'adjuster', email: 'kim.lee@example.test' });
    const seniorAtHome = await buildUser({ tenantId: team.tenant.id, role: 'policyholder', email: 'Sam.Cole+home@example.test' });
    const adjusterAtHome = await buildUser({ tenantId: team.tenant.id, role: 'policyholder', email: 'kim.lee+insured@example.test' });

    const seniorsClaim = await fileClaim(seniorAtHome, 1500);
    const selfAssign = await assign(seniorsClaim.id, senior, senior).expect(403);
    expect(selfAssign.body.error).toMatchObject({
      code: 'own_claim',
      details: [expect.objectContaining({ rule: 'separation_of_duties' })],
    });
    const handOut = await assign(seniorsClaim.id, senior, team.adjuster).expect(403);
    expect(handOut.body.error.code).toBe('own_claim');

    const adjustersClaim = await fileClaim(adjusterAtHome, 1500);
    const toThemselves = await assign(adjustersClaim.id, team.manager, adjuster).expect(403);
    expect(toThemselves.body.error).toMatchObject({ code: 'own_claim', message: expect.stringContaining('claimant') });

    // Someone else handles the senior's claim; the senior still may not review or approve it.
    await toWaitingApproval(seniorsClaim.id, team.adjuster);
    const review = await transition(seniorsClaim.id, senior, { to: 'under_review' }).expect(403);
    expect(review.body.error.code).toBe('own_claim');
    const approve = await transition(seniorsClaim.id, senior, { to: 'approved', approvedAmount: 100 }).expect(403);
    expect(approve.body.error.code).toBe('own_claim');

    for (const claim of [seniorsClaim, adjustersClaim]) {
      const row = await Claim.findByPk(claim.id, { rejectOnEmpty: true });
      expect(row.assigneeId === senior.id || row.assigneeId === adjuster.id).toBe(false);
      expect(row.amountApproved).toBeNull();
    }
    expect(await Claim.findByPk(seniorsClaim.id)).toMatchObject({ status: 'waiting_approval', assigneeId: team.adjuster.id });
    expect(await Claim.findByPk(adjustersClaim.id)).toMatchObject({ status: 'reported', assigneeId: null });
  });

  it('refuses a self-assignee approving alone, even far below their limit (409 second_approver_required); the claim waits, then a second staff member approves', async () => {
    const claim = await fileClaim(team.claimant, 300);
    await assign(claim.id, team.senior, team.senior).expect(200);
    await transition(claim.id, team.senior, { to: 'under_review' }).expect(200);
    await transition(claim.id, team.senior, { to: 'waiting_approval' }).expect(200);

    const alone = await transition(claim.id, team.senior, { to: 'approved' }).expect(409);
    expect(alone.body.error).toMatchObject({
      code: 'second_approver_required',
      details: [expect.objectContaining({ rule: 'separation_of_duties' })],
    });
    expect(await Claim.findByPk(claim.id)).toMatchObject({ status: 'waiting_approval', amountApproved: null });
    expect(await stageOf(claim.workflowId)).toMatchObject({ stage: 'waiting_approval', amountApproved: null });

    const second = await transition(claim.id, team.manager, { to: 'approved' }).expect(200);
    expect(second.body).toMatchObject({ amountApproved: '300.00' });
    const approval = await ClaimHistory.findOne({ where: { claimId: claim.id, toStatus: 'approved' }, rejectOnEmpty: true });
    expect(approval.actorId).toBe(team.manager.id);
  });

  it('lets exactly one of two concurrent approvals through when together they exceed the coverage; the other answers 422 coverage_exceeded and changes nothing', async () => {
    const first = await fileClaim(team.claimant, 6000, { coverageAmount: '10000.00' });
    const second = await fileClaim(team.claimant, 5000, { subscription: first.subscription });
    await Promise.all([toWaitingApproval(first.id, team.adjuster), toWaitingApproval(second.id, team.otherAdjuster)]);
    const historyBefore = await ClaimHistory.count({ where: { claimId: [first.id, second.id] } });

    const answers = await Promise.all([first, second].map((claim) => transition(claim.id, team.manager, { to: 'approved' })));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 422]);
    const refusedAt = answers.findIndex((res) => res.status === 422);
    const refused = [first, second][refusedAt];
    expect(answers[refusedAt].body.error).toMatchObject({
      code: 'coverage_exceeded',
      details: [expect.objectContaining({ field: 'approvedAmount', coverage: 10000, available: refused === first ? 5000 : 4000 })],
    });

    expect(await Claim.findByPk(refused.id)).toMatchObject({ status: 'waiting_approval', amountApproved: null });
    expect(await stageOf(refused.workflowId)).toMatchObject({ stage: 'waiting_approval', amountApproved: null });
    expect(await ClaimHistory.count({ where: { claimId: refused.id, toStatus: 'approved' } })).toBe(0);
    expect(await ClaimHistory.count({ where: { claimId: [first.id, second.id] } })).toBeGreaterThan(historyBefore);
    const approvedSum = await Claim.sum('amountApproved', { where: { subscriptionId: first.subscription.id } });
    expect(Number(approvedSum)).toBe(refused === first ? 5000 : 6000);
  });

  it('records a retried approval once, its own amount not counted against it, and writes nothing for a refused one', async () => {
    const approve = (claim: Claim, amount: number) => recordApproval(stack.deps, claim, team.manager.id, amount);
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, coverageAmount: '1000.00' });
    const [whole, extra] = await Promise.all([
      buildClaim({ subscriptionId: subscription.id, amountClaimed: '1000.00' }),
      buildClaim({ subscriptionId: subscription.id, amountClaimed: '0.01' }),
    ]);

    // The first attempt committed but its answer was lost: Temporal runs it again.
    await approve(whole, 1000);
    await approve(whole, 1000);
    expect(await Claim.findByPk(whole.id)).toMatchObject({ status: 'approved', amountApproved: '1000.00' });
    expect(await ClaimHistory.count({ where: { claimId: whole.id, toStatus: 'approved' } })).toBe(1);
    expect(await AuditEvent.count({ where: { entityId: whole.id, action: 'claim.transition' } })).toBe(1);

    const refusal = await approve(extra, 0.01).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect(refusal).toMatchObject({
      type: 'CoverageExceeded',
      nonRetryable: true,
      details: [[expect.objectContaining({ coverage: 1000, available: 0 })]],
    });
    expect(await Claim.findByPk(extra.id)).toMatchObject({ status: 'reported', amountApproved: null });
    expect(await ClaimHistory.count({ where: { claimId: extra.id } })).toBe(1);
    expect(await AuditEvent.count({ where: { entityId: extra.id } })).toBe(0);
  });
});
