/**
 * Bulk actions as workflows, on the dev server with a real worker: a claims manager reassigns an
 * adjuster's open claims (each through the claim run's assign Update; refusals reported with their
 * reason), progress at GET /operations/:id, Idempotency-Key, other tenants' users; and "remind
 * now" for every open acknowledgement through the existing compliance-remind run.
 */
import crypto from 'node:crypto';
import { bulkReassignRun } from '../../src/contracts/bulk-reassign';
import { BulkOperation, BulkOperationItem, Claim, ComplianceRemind, IdempotencyRecord, Subscription, User } from '../../src/models';
import { workerActivities } from '../../worker/worker';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';
import { bearer, buildAcknowledgement, buildPolicyVersion, buildSubscription, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

interface OperationBody {
  id: string;
  kind: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  failures: { itemId: string; reason: string }[];
}

describe('bulk operations', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let subscription: Subscription;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });

  async function fileAndAssign(
    to: User,
    sub: Subscription = subscription,
    by: User = team.claimant,
    assigner: User = team.manager,
  ): Promise<string> {
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(by))
      .send({ subscriptionId: sub.id, incidentDate: sub.startDate, amountClaimed: 500, description: 'Storm damage' })
      .expect(201);
    await stack.api.post(`/api/v1/claims/${filed.body.id}/assign`).set(as(assigner)).send({ assigneeId: to.id }).expect(200);
    return filed.body.id as string;
  }

  const reassign = (body: object, key: string, user: User = team.manager) =>
    stack.api.post('/api/v1/operations/claims/reassign').set(as(user)).set('Idempotency-Key', key).send(body);

  const finished = (id: string, user: User = team.manager) =>
    eventually(
      async () => (await stack.api.get(`/api/v1/operations/${id}`).set(as(user)).expect(200)).body as OperationBody,
      (op) => op.status === 'completed',
      `operation ${id} completed`,
      30_000,
    );

  it('reassigns three claims, one refused and reported with its reason; progress counts them; a repeat starts nothing', async () => {
    // The new assignee holds a policy too: the claim they made on it cannot be theirs to handle.
    const ownSubscription = await buildSubscription({ policyholderId: team.otherAdjuster.id });
    const first = await fileAndAssign(team.adjuster);
    const second = await fileAndAssign(team.adjuster);
    const own = await fileAndAssign(team.adjuster, ownSubscription, team.agent);

    const started = await reassign({ fromUserId: team.adjuster.id, toUserId: team.otherAdjuster.id }, 'reassign-leaver-1').expect(202);
    const id = started.body.operation.id as string;
    expect(started.body.workflowId).toBe(`bulk-reassign-${id}`);
    expect(started.body.operation).toMatchObject({ kind: 'claims_reassign', total: 3 });

    const progress = await finished(id);
    expect(progress).toMatchObject({ total: 3, done: 2, failed: 1 });
    expect(progress.failures).toEqual([{ itemId: own, reason: expect.stringContaining('claimant') }]);
    const rows = await Claim.findAll({ where: { id: [first, second, own] } });
    const assignees = Object.fromEntries(rows.map((c) => [c.id, c.assigneeId]));
    expect(assignees).toEqual({ [first]: team.otherAdjuster.id, [second]: team.otherAdjuster.id, [own]: team.adjuster.id });

    // A repeat, replayed or (its stored answer lost) recomputed, is the same operation and starts nothing.
    const replayed = await reassign({ fromUserId: team.adjuster.id, toUserId: team.otherAdjuster.id }, 'reassign-leaver-1').expect(202);
    expect(replayed.body.operation.id).toBe(id);
    await IdempotencyRecord.destroy({ where: {} });
    const repeated = await reassign({ fromUserId: team.adjuster.id, toUserId: team.otherAdjuster.id }, 'reassign-leaver-1').expect(202);
    expect(repeated.body).toMatchObject({ operation: { id, done: 2, failed: 1 }, runId: null });
    expect(await BulkOperation.count({ where: { id } })).toBe(1);
    expect((await stack.temporal.workflow.count(`WorkflowId = "bulk-reassign-${id}"`)).count).toBe(1);

    const run = await stack.api.get(`/api/v1/workflows/bulk-reassign-${id}`).set(as(team.manager)).expect(200);
    expect(run.body.status).toBe('COMPLETED');
    await recordHistory(stack.temporal.workflow.getHandle(`bulk-reassign-${id}`), 'bulkReassignWorkflow');
  });

  it("each item goes through the claim run's validator: a new assignee who handles no claims is refused for every claim", async () => {
    const claim = await fileAndAssign(team.senior);
    const started = await reassign({ fromUserId: team.senior.id, toUserId: team.agent.id }, 'reassign-to-agent-1').expect(202);
    const progress = await finished(started.body.operation.id);
    expect(progress).toMatchObject({ total: 1, done: 0, failed: 1 });
    expect(progress.failures).toEqual([{ itemId: claim, reason: 'Claims are assigned to adjusters, senior adjusters or claims managers' }]);
    expect((await Claim.findByPk(claim))!.assigneeId).toBe(team.senior.id);
  });

  it("judges separation of duties for each claim as a single reassignment does: the asker's own claim (another account on their mailbox) is refused, the others proceed", async () => {
    const [from, to] = await Promise.all([1, 2].map(() => buildUser({ tenantId: team.tenant.id, role: 'adjuster' })));
    // The claims manager insures themselves under a sub-address of their own mailbox.
    const [local, host] = team.manager.email.split('@');
    const managerAtHome = await buildUser({ tenantId: team.tenant.id, role: 'policyholder', email: `${local}+home@${host}` });
    const ownSubscription = await buildSubscription({ policyholderId: managerAtHome.id });
    const first = await fileAndAssign(from);
    // Not theirs to assign: a senior adjuster handed it to the adjuster who is leaving.
    const own = await fileAndAssign(from, ownSubscription, team.agent, team.senior);
    const last = await fileAndAssign(from);
    // A single reassignment of that claim is refused so.
    const single = await stack.api.post(`/api/v1/claims/${own}/assign`).set(as(team.manager)).send({ assigneeId: to.id }).expect(403);
    expect(single.body.error.code).toBe('own_claim');

    const started = await reassign({ fromUserId: from.id, toUserId: to.id }, 'reassign-own-claim-1').expect(202);
    const progress = await finished(started.body.operation.id);
    expect(progress).toMatchObject({ total: 3, done: 2, failed: 1 });
    expect(progress.failures).toEqual([{ itemId: own, reason: single.body.error.message }]);
    const rows = await Claim.findAll({ where: { id: [first, own, last] } });
    expect(Object.fromEntries(rows.map((c) => [c.id, c.assigneeId]))).toEqual({ [first]: to.id, [own]: from.id, [last]: to.id });
  });

  it('judges the asker as they are when each item runs: demoted after the first claim, the rest are refused and stay with their handler', async () => {
    const tenantAdmin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const manager = await buildUser({ tenantId: team.tenant.id, role: 'claims_manager' });
    const [from, to] = await Promise.all([1, 2].map(() => buildUser({ tenantId: team.tenant.id, role: 'adjuster' })));
    const claims = [await fileAndAssign(from), await fileAndAssign(from), await fileAndAssign(from)];
    // The operation as POST /operations/claims/reassign records it; its batches are run here, one
    // claim first, so that the demotion falls between two items.
    const operationId = crypto.randomUUID();
    await BulkOperation.create({
      id: operationId,
      tenantId: team.tenant.id,
      kind: 'claims_reassign',
      requestedById: manager.id,
      parameters: { fromUserId: from.id, toUserId: to.id, requestedByRole: 'claims_manager' },
      workflowId: bulkReassignRun.id(operationId),
    });
    await BulkOperationItem.bulkCreate(claims.map((itemId, position) => ({ operationId, itemId, position })));
    const { reassignClaimBatch } = workerActivities(stack.deps);

    expect(await reassignClaimBatch({ operationId, limit: 1 })).toEqual({ done: 1, failed: 0, finished: false });
    await stack.api.patch(`/api/v1/users/${manager.id}`).set(as(tenantAdmin)).send({ role: 'adjuster' }).expect(200);
    expect(await reassignClaimBatch({ operationId, limit: 25 })).toEqual({ done: 0, failed: 2, finished: true });

    const progress = (await stack.api.get(`/api/v1/operations/${operationId}`).set(as(tenantAdmin)).expect(200)).body as OperationBody;
    expect(progress).toMatchObject({ status: 'completed', total: 3, done: 1, failed: 2 });
    const refused = 'The requester is no longer an active claims manager of the tenant';
    expect(progress.failures).toEqual([
      { itemId: claims[1], reason: refused },
      { itemId: claims[2], reason: refused },
    ]);
    const rows = await Claim.findAll({ where: { id: claims } });
    expect(Object.fromEntries(rows.map((c) => [c.id, c.assigneeId]))).toEqual({
      [claims[0]]: to.id,
      [claims[1]]: from.id,
      [claims[2]]: from.id,
    });
  });

  it("another tenant's users are 404, bad input 400, other roles 403, and nothing is recorded", async () => {
    const outsider = await buildUser({ role: 'adjuster' });
    const before = await BulkOperation.count();
    await reassign({ fromUserId: team.otherAdjuster.id, toUserId: outsider.id }, 'reassign-outsider-1').expect(404);
    await reassign({ fromUserId: outsider.id, toUserId: team.adjuster.id }, 'reassign-outsider-2').expect(404);
    await reassign({ fromUserId: team.otherAdjuster.id }, 'reassign-bad-1').expect(400);
    await reassign({ fromUserId: 'not-a-uuid', toUserId: team.adjuster.id }, 'reassign-bad-2').expect(400);
    await reassign({ fromUserId: team.adjuster.id, toUserId: team.adjuster.id }, 'reassign-bad-3').expect(422);
    await reassign({ fromUserId: team.otherAdjuster.id, toUserId: team.adjuster.id }, 'reassign-role-1', team.adjuster).expect(403);
    expect(await BulkOperation.count()).toBe(before);

    const mine = await BulkOperation.findOne();
    const otherManager = await buildUser({ role: 'claims_manager' });
    await stack.api.get(`/api/v1/operations/${mine!.id}`).set(as(otherManager)).expect(404);
    await stack.api.get(`/api/v1/operations/${mine!.id}`).set(as(team.adjuster)).expect(403);
  });

  it('reminds every open acknowledgement of the tenant through the compliance-remind run; a repeat sends nothing more', async () => {
    const officer = await buildUser({ tenantId: team.tenant.id, role: 'compliance_officer' });
    const version = await buildPolicyVersion({ tenantId: team.tenant.id, status: 'published' });
    await buildAcknowledgement({ versionId: version.id, employeeId: team.adjuster.id });
    await buildAcknowledgement({ versionId: version.id, employeeId: team.agent.id });
    await buildAcknowledgement({ versionId: version.id, employeeId: team.senior.id, status: 'acknowledged', acknowledgedAt: new Date() });
    const remind = () =>
      stack.api.post('/api/v1/operations/acknowledgements/remind').set(as(officer)).set('Idempotency-Key', 'remind-all-1').send({});

    const started = await remind().expect(202);
    expect(started.body.operations).toHaveLength(1);
    const id = started.body.operations[0].operation.id as string;
    expect(started.body.operations[0].workflowId).toBe(`compliance-remind-${id}`);
    const progress = await finished(id, officer);
    expect(progress).toMatchObject({ kind: 'acknowledgements_remind', total: 2, done: 2, failed: 0 });
    const reminders = () => stack.smtp.messages.filter((m) => m.subject.startsWith('Reminder')).length;
    await eventually(
      async () => reminders(),
      (n) => n === 2,
      'two reminders',
    );

    await IdempotencyRecord.destroy({ where: {} });
    const repeated = await remind().expect(202);
    expect(repeated.body.operations.map((o: { operation: { id: string } }) => o.operation.id)).toEqual([id]);
    expect(await ComplianceRemind.count({ where: { versionId: version.id } })).toBe(1);
    expect(reminders()).toBe(2);
    await stack.api.post('/api/v1/operations/acknowledgements/remind').set(as(team.manager)).send({}).expect(403);
  });
});
