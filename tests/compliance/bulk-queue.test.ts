/**
 * The bulk task queue on the dev server: a rollout starts its acknowledgement runs there, a
 * claim is served while they wait in it, and a worker process's bulk worker then runs them. Two
 * tenants' rollouts waiting there at once take turns (fairness keyed by tenant), where first in,
 * first out would serve the larger, earlier one first.
 */
import { NativeConnection } from '@temporalio/worker';
import { Acknowledgement, Subscription, Tenant, User } from '../../src/models';
import { ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX } from '../support/acknowledgement-runs';
import { TenantId } from '../../src/shared/search-attributes';
import { policyRolloutRun, PolicyRolloutWorkflow } from '../../src/contracts/policy-rollout';
import { bulkWorkerOptions, createInsurflowWorker, createProcessWorkers } from '../../worker/worker';
import { bearer, buildPolicyVersion, buildSubscription, buildTenant, buildUser, buildUsers } from '../support/factories';
import { requiredEnv } from '../support/env';
import { stackWorkerOptions, startTestStack, TestStack } from '../support/stack';
import { resultOf, waitUntil } from '../support/waiting';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

const EMPLOYEES = 6;

describe('bulk task queue', () => {
  let stack: TestStack;
  let connection: NativeConnection;
  let team: ClaimsTeam;
  let subscription: Subscription;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    // No worker of the stack's: the test decides which queues are polled, and when.
    stack = await startTestStack();
    connection = await NativeConnection.connect({ address: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS') });
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await connection?.close();
    await stack?.close();
  });

  const workerOptions = () => stackWorkerOptions(stack.config, stack.deps, connection);

  /** The audience: the adjusters of `tenant`. */
  async function publishTo(tenant: Tenant, audience: number) {
    const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', audienceRoles: ['adjuster'] });
    // Started as publishing starts it: on the interactive queue.
    const rollout = await stack.temporal.workflow.start<PolicyRolloutWorkflow>(policyRolloutRun.type, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: version.workflowId!,
      typedSearchAttributes: [{ key: TenantId, value: tenant.id }],
      args: [{ tenantId: tenant.id, versionId: version.id, retiredVersionIds: [] }],
    });
    expect(await resultOf(rollout)).toMatchObject({ phase: 'completed', runsStarted: audience });
    return Acknowledgement.findAll({ where: { versionId: version.id } });
  }

  /** Whether a run's first workflow task was completed by some worker (a run nobody polled for has 2 events). */
  const ranOnce = async (workflowId: string) => (await stack.temporal.workflow.getHandle(workflowId).describe()).historyLength > 2;

  it('starts the acknowledgement runs on the bulk queue, serves a claim while they wait there, and the process bulk worker runs them', async () => {
    const interactive = await createInsurflowWorker(workerOptions());
    const interactiveRun = interactive.run();
    stops.push(async () => {
      interactive.shutdown();
      await interactiveRun;
    });
    await buildUsers(EMPLOYEES, team.tenant.id, () => ({ role: 'adjuster' }));
    // The rollout ran on the interactive worker; the audience is the new adjusters and the team's two.
    const acknowledgements = await publishTo(team.tenant, EMPLOYEES + 2);
    expect(acknowledgements).toHaveLength(EMPLOYEES + 2);
    for (const ack of acknowledgements) {
      const run = await stack.temporal.workflow.getHandle(ack.workflowId!).describe();
      expect(run).toMatchObject({ taskQueue: stack.config.temporal.bulkTaskQueue, status: { name: 'RUNNING' } });
      expect(run.historyLength).toBe(2);
    }

    // Nobody polls the bulk queue, yet the claim is filed, assigned (an Update its run answers) and mailed.
    const auth = (user: User) => ({ Authorization: bearer(stack.config, user) });
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(auth(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 1200, description: 'Hail on the roof' })
      .expect(201);
    const assigned = await stack.api
      .post(`/api/v1/claims/${filed.body.id}/assign`)
      .set(auth(team.manager))
      .send({ assigneeId: team.adjuster.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', assigneeId: team.adjuster.id });
    await stack.smtp.waitFor(
      (m) => m.to.includes(team.adjuster.email) && m.subject === `Claim ${filed.body.claimNumber} is assigned to you`,
    );
    for (const ack of acknowledgements) expect(await ranOnce(ack.workflowId!)).toBe(false);

    // A worker process's workers (in place of the lone interactive one) poll both queues: the backlog is run.
    await stops.pop()!();
    const processWorkers = await createProcessWorkers({ ...workerOptions(), bulk: bulkWorkerOptions(stack.config) });
    expect(processWorkers.workers.map((worker) => worker.options.taskQueue)).toEqual([
      stack.config.temporal.taskQueue,
      stack.config.temporal.bulkTaskQueue,
    ]);
    const processRun = processWorkers.run();
    stops.push(async () => {
      processWorkers.shutdown();
      await processRun;
    });
    const waiting = acknowledgements.map((ack) => ack.workflowId!);
    await waitUntil(async () => (await Promise.all(waiting.map(ranOnce))).every(Boolean), 'every acknowledgement run ran its first task');
  }, 30_000);

  it('takes turns between two tenants whose rollouts wait on the bulk queue at once', async () => {
    // Only the interactive queue is polled while both rollouts start their runs.
    await stops.pop()!();
    const interactive = await createInsurflowWorker(workerOptions());
    const interactiveRun = interactive.run();
    const large = team.tenant;
    const small = await buildTenant();
    const largeAudience = await buildUsers(32, large.id, () => ({ role: 'adjuster' }));
    const smallAudience = await buildUsers(8, small.id, () => ({ role: 'adjuster' }));
    // The large tenant's 40 runs are queued first, then the small tenant's 8.
    const largeAcks = await publishTo(large, largeAudience.length + EMPLOYEES + 2);
    const smallAcks = await publishTo(small, smallAudience.length);
    for (const ack of [...largeAcks, ...smallAcks]) expect(await ranOnce(ack.workflowId!)).toBe(false);
    const first = await stack.temporal.workflow.getHandle(smallAcks[0].workflowId!).describe();
    expect(first.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(small.id);

    // One bulk worker with few slots: the order of the notices is close to the order of dispatch.
    const noticesBefore = stack.smtp.messages.length;
    const bulk = await createInsurflowWorker({
      ...workerOptions(),
      taskQueue: stack.config.temporal.bulkTaskQueue,
      tuning: { maxConcurrentWorkflowTaskExecutions: 2, maxConcurrentActivityTaskExecutions: 1 },
    });
    const bulkRun = bulk.run();
    stops.push(async () => {
      bulk.shutdown();
      interactive.shutdown();
      await Promise.all([bulkRun, interactiveRun]);
    });
    const smallEmails = new Set(smallAudience.map((user) => user.email.toLowerCase()));
    const notices = () =>
      stack.smtp.messages.slice(noticesBefore).filter((mail) => mail.subject.startsWith(ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX));
    await waitUntil(() => notices().length >= 24, 'the first 24 notices sent', 60_000);
    // The tests' server has one partition a queue (tests/support/global-setup.ts). First in,
    // first out sends all of the large tenant's 40 before any of the small tenant's 8; taking
    // turns sends the small tenant's every other one (measured at positions 1 to 17).
    const order = notices()
      .slice(0, 24)
      .map((mail) => (smallEmails.has(mail.to[0]) ? 'small' : 'large'));
    expect(order.filter((tenant) => tenant === 'small')).toHaveLength(smallAudience.length);
  }, 90_000);
});
