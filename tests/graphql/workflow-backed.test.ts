/**
 * GraphQL with a real worker on the dev server: a claim's live state asked of its run only when
 * the query selects it (with REST's `stale` fallback when the run does not answer), and the
 * mutations assign, transition and acknowledge succeeding through the REST routes' commands: the
 * same rows and audit events as the same steps over REST, and one effect for a repeated
 * `idempotencyKey`.
 */
import crypto from 'node:crypto';
import { Acknowledgement, AuditEvent, Claim, ClaimHistory, Subscription, type User } from '../../src/models';
import { claimRun } from '../../src/contracts/claim';
import { buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';
import { eventually, resultOf } from '../support/waiting';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';
import { approveThroughReview } from '../compliance/review';

const LIVE = `query($id: ID!) { claim(id: $id) { id status liveState { stale state { stage assigneeId nextDeadline { action } } } } }`;
const ASSIGN = `mutation($id: ID!, $assigneeId: ID!, $key: String) {
  assignClaim(id: $id, assigneeId: $assigneeId, idempotencyKey: $key) { id status assignee { id } } }`;
const TRANSITION = `mutation($id: ID!, $to: ClaimStage!, $note: String, $key: String) {
  transitionClaim(id: $id, to: $to, note: $note, idempotencyKey: $key) { id status history(last: 1) { toStatus note } } }`;

describe('GraphQL with a real worker: live state and the mutations that reach a run', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let subscription: Subscription;

  beforeAll(async () => {
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });

  const { as, graphql, data } = apiClient(() => stack, { 'User-Agent': 'GraphQLTest/1.0' });

  async function fileClaim(): Promise<{ id: string; claimNumber: string }> {
    const res = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 1200, description: 'Hail on the roof' })
      .expect(201);
    return res.body;
  }

  /** What the audit trail says happened to a row, in order, without the ids that differ between two rows. */
  /** Who did what to the claim; a change the claim's own run made is by "its run" (each claim has another). */
  async function trailOf(entityId: string): Promise<string[]> {
    const events = await AuditEvent.findAll({ where: { entityId }, order: [['id', 'ASC']] });
    return events.map((e) => `${e.action} by ${e.actorType}:${e.actorType === 'workflow' ? 'its run' : e.actorId}`);
  }

  it('issues a policy for a policyholder when a claims agent subscribes, with the roles and input of POST /subscriptions', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id });
    const SUBSCRIBE = `mutation($planId: ID!, $holder: ID) { subscribe(planId: $planId, policyholderId: $holder) { id policyholder { id } } }`;
    const issued = await data<{ subscribe: { id: string; policyholder: { id: string } } }>(
      SUBSCRIBE,
      { planId: plan.id, holder: team.claimant.id },
      team.agent,
    );
    expect(issued.subscribe.policyholder).toEqual({ id: team.claimant.id });
    expect(await Subscription.findByPk(issued.subscribe.id)).toMatchObject({ policyholderId: team.claimant.id });
    const [event] = await AuditEvent.findAll({ where: { entityId: issued.subscribe.id, action: 'subscription.create' } });
    expect(event).toMatchObject({ actorType: 'user', actorId: team.agent.id });
    expect(event.changes).toMatchObject({ issuedById: { after: team.agent.id } });
    // A role POST /subscriptions refuses is refused alike, and writes nothing.
    const before = await Subscription.count();
    const refused = await graphql(SUBSCRIBE, { planId: plan.id, holder: team.claimant.id }, team.adjuster);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await Subscription.count()).toBe(before);
  });

  describe('a claim moved over GraphQL beside one moved over REST', () => {
    let overRest: { id: string };
    let overGraphQL: { id: string };

    beforeAll(async () => {
      overRest = await fileClaim();
      overGraphQL = await fileClaim();
    });

    it('assigns once for a repeated idempotencyKey, with the row, history and audit events REST writes', async () => {
      await stack.api.post(`/api/v1/claims/${overRest.id}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);

      const variables = { id: overGraphQL.id, assigneeId: team.adjuster.id, key: `assign-${crypto.randomUUID()}` };
      const first = await data<{ assignClaim: { status: string; assignee: { id: string } } }>(ASSIGN, variables, team.manager);
      expect(first.assignClaim).toEqual({ id: overGraphQL.id, status: 'assigned', assignee: { id: team.adjuster.id } });
      const repeated = await data<{ assignClaim: unknown }>(ASSIGN, variables, team.manager);
      expect(repeated.assignClaim).toEqual(first.assignClaim);

      expect(await ClaimHistory.count({ where: { claimId: overGraphQL.id, toStatus: 'assigned' } })).toBe(1);
      expect(await Claim.findByPk(overGraphQL.id)).toMatchObject({ status: 'assigned', assigneeId: team.adjuster.id });
      const trail = await trailOf(overGraphQL.id);
      expect(trail.filter((line) => line.startsWith('claim.assign'))).toEqual([`claim.assign by user:${team.manager.id}`]);
      expect(trail).toEqual(await trailOf(overRest.id));
    });

    it('moves the claim on once for a repeated idempotencyKey, with the history and audit events REST writes', async () => {
      await stack.api
        .post(`/api/v1/claims/${overRest.id}/transitions`)
        .set(as(team.adjuster))
        .send({ to: 'under_review', note: 'Looking at the photos' })
        .expect(200);

      const variables = { id: overGraphQL.id, to: 'under_review', note: 'Looking at the photos', key: `move-${crypto.randomUUID()}` };
      const first = await data<{ transitionClaim: unknown }>(TRANSITION, variables, team.adjuster);
      expect(first.transitionClaim).toEqual({
        id: overGraphQL.id,
        status: 'under_review',
        history: [{ toStatus: 'under_review', note: 'Looking at the photos' }],
      });
      expect((await data<{ transitionClaim: unknown }>(TRANSITION, variables, team.adjuster)).transitionClaim).toEqual(
        first.transitionClaim,
      );

      expect(await ClaimHistory.count({ where: { claimId: overGraphQL.id, toStatus: 'under_review' } })).toBe(1);
      const trail = await trailOf(overGraphQL.id);
      expect(trail.filter((line) => line.startsWith('claim.transition'))).toEqual([`claim.transition by user:${team.adjuster.id}`]);
      expect(trail).toEqual(await trailOf(overRest.id));
    });

    it('refuses a move the run does not allow (CONFLICT or BAD_USER_INPUT as REST), changing nothing', async () => {
      const rest = await stack.api.post(`/api/v1/claims/${overRest.id}/transitions`).set(as(team.adjuster)).send({ to: 'paid' });
      const answer = await graphql(TRANSITION, { id: overGraphQL.id, to: 'paid' }, team.adjuster);
      const codeOf: Record<number, string> = { 409: 'CONFLICT', 422: 'BAD_USER_INPUT', 403: 'FORBIDDEN' };
      expect(answer.errors?.[0].extensions?.code).toBe(codeOf[rest.status]);
      expect(answer.errors?.[0].extensions?.reason).toBe(rest.body.error.code);
      expect(await Claim.findByPk(overGraphQL.id)).toMatchObject({ status: 'under_review' });
    });

    it("answers the run's live state when asked, as GET /claims/:id does", async () => {
      const rest = await stack.api.get(`/api/v1/claims/${overGraphQL.id}`).set(as(team.manager)).expect(200);
      const { claim } = await data<{ claim: { liveState: { stale: boolean; state: Record<string, unknown> } } }>(
        LIVE,
        { id: overGraphQL.id },
        team.manager,
      );
      expect(claim.liveState).toEqual({
        stale: false,
        state: {
          stage: 'under_review',
          assigneeId: team.adjuster.id,
          nextDeadline: rest.body.state.nextDeadline && { action: rest.body.state.nextDeadline.action },
        },
      });
      expect(rest.body).toMatchObject({ stale: false, state: { stage: 'under_review', assigneeId: team.adjuster.id } });
    });

    it('does not ask the run when the query does not select the live state', async () => {
      const handles = jest.spyOn(stack.temporal.workflow, 'getHandle');
      try {
        await data(
          'query($id: ID!) { claim(id: $id) { id status assignee { id } history(last: 3) { toStatus } } }',
          { id: overGraphQL.id },
          team.manager,
        );
        expect(handles).not.toHaveBeenCalled();
        await data(LIVE, { id: overGraphQL.id }, team.manager);
        expect(handles.mock.calls.map(([workflowId]) => workflowId)).toEqual([(await Claim.findByPk(overGraphQL.id))!.workflowId]);
      } finally {
        handles.mockRestore();
      }
    });
  });

  it('answers the recorded row with stale: true when the run does not answer, as REST does', async () => {
    // A claim whose run is not there to answer (as when the worker or the server is down).
    const tenant = await buildTenant();
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const claim = await buildClaim({ tenantId: tenant.id, workflowId: claimRun.id(tenant.slug, 'CLM-2026-999999') });
    const rest = await stack.api.get(`/api/v1/claims/${claim.id}`).set(as(manager)).expect(200);
    expect(rest.body).toMatchObject({ state: null, stale: true });
    const { claim: answered } = await data<{ claim: { status: string; liveState: unknown } }>(LIVE, { id: claim.id }, manager);
    expect(answered).toMatchObject({ status: 'reported', liveState: { stale: true, state: null } });
  });

  describe('acknowledge', () => {
    const ACKNOWLEDGE = `mutation($id: ID!, $fullName: String, $key: String) {
      acknowledge(id: $id, fullName: $fullName, idempotencyKey: $key) { id status acknowledgedAt } }`;
    let overRest: Acknowledgement;
    let overGraphQL: Acknowledgement;
    let restEmployee: User;
    let graphQLEmployee: User;

    beforeAll(async () => {
      const officer = await buildUser({ tenantId: team.tenant.id, role: 'compliance_officer' });
      const reviewer = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
      restEmployee = team.agent;
      graphQLEmployee = await buildUser({ tenantId: team.tenant.id, role: 'claims_agent' });
      const policy = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Gifts' }).expect(201);
      const version = await stack.api
        .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
        .set(as(officer))
        .send({ content: 'Report every gift worth more than 50 EUR.', audienceRoles: ['claims_agent'] })
        .expect(201);
      await approveThroughReview(stack, version.body.id, officer, reviewer);
      const published = await stack.api.post(`/api/v1/compliance/versions/${version.body.id}/publish`).set(as(officer)).expect(202);
      await resultOf(stack.temporal.workflow.getHandle(published.body.workflowId));
      overRest = (await Acknowledgement.findOne({ where: { versionId: version.body.id, employeeId: restEmployee.id } }))!;
      overGraphQL = (await Acknowledgement.findOne({ where: { versionId: version.body.id, employeeId: graphQLEmployee.id } }))!;
      // Both runs are open (their notices sent) before anyone acknowledges.
      for (const employee of [restEmployee, graphQLEmployee]) {
        await stack.smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('New policy'));
      }
    });

    it('acknowledges once for a repeated idempotencyKey, with the evidence and audit events REST records', async () => {
      await stack.api
        .post(`/api/v1/acknowledgements/${overRest.id}/acknowledge`)
        .set(as(restEmployee))
        .send({ fullName: restEmployee.fullName })
        .expect(200);

      const variables = { id: overGraphQL.id, fullName: graphQLEmployee.fullName, key: `ack-${crypto.randomUUID()}` };
      const first = await data<{ acknowledge: { status: string; acknowledgedAt: string } }>(ACKNOWLEDGE, variables, graphQLEmployee);
      expect(first.acknowledge).toMatchObject({ id: overGraphQL.id, status: 'acknowledged' });
      const repeated = await data<{ acknowledge: unknown }>(ACKNOWLEDGE, variables, graphQLEmployee);
      expect(repeated.acknowledge).toEqual(first.acknowledge);

      expect(await overGraphQL.reload()).toMatchObject({
        status: 'acknowledged',
        typedName: graphQLEmployee.fullName,
        userAgent: 'GraphQLTest/1.0',
        contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const restTrail = await eventually(
        () => trailOf(overRest.id),
        (trail) => trail.length > 0,
        'the REST acknowledgement audited',
      );
      const graphQLTrail = await eventually(
        () => trailOf(overGraphQL.id),
        (trail) => trail.length >= restTrail.length,
        'the GraphQL acknowledgement audited',
      );
      expect(graphQLTrail).toContain(`acknowledgement.acknowledge by user:${graphQLEmployee.id}`);
      const byWhom = (trail: string[], employee: User) => trail.map((line) => line.replace(employee.id, '<employee>'));
      expect(byWhom(graphQLTrail, graphQLEmployee)).toEqual(byWhom(restTrail, restEmployee));

      // Acknowledged once: a new key is refused as REST refuses a second acknowledgement.
      const again = await graphql(ACKNOWLEDGE, { id: overGraphQL.id, key: `ack-${crypto.randomUUID()}` }, graphQLEmployee);
      expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    });
  });
});
