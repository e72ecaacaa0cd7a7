/**
 * Recurring attestation against the time-skipping server with the real activities, database and
 * SMTP sink: `compliance-recurrence-<policyId>` waits for the anniversary of the publication, then
 * the version's second cycle rolls out (new rows and runs, a notice per person and cycle), cycle 1's
 * rows stay as they were, and a retired policy starts no further cycle.
 * tests/compliance/recurrence-api.test.ts drives the routes and the report's `?cycle=` on the dev server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgeUpdate } from '../../src/contracts/acknowledgement';
import { complianceRecurrenceRun, ComplianceRecurrenceWorkflow, recurrenceChangedSignal } from '../../src/contracts/compliance-recurrence';
import { policyRolloutRun, PolicyRolloutWorkflow, rolloutProgressQuery } from '../../src/contracts/policy-rollout';
import { Acknowledgement, AuditEvent, CompliancePolicy, User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { buildCompliancePolicy, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { eventually, resultOf, waitUntil } from '../support/waiting';

// The queue the activities start their runs on (the rollout's acknowledgement runs, a cycle's rollout).
const TASK_QUEUE = 'time-skipping';
const RECURRENCE_DAYS = 30;
const DEADLINE_DAYS = 14;

describe('recurring attestation (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    await stack.startWorker(TASK_QUEUE);
  });

  afterAll(() => stack?.close());

  const noticesTo = (user: User) =>
    smtp.messages.filter((m) => m.to.includes(user.email) && m.subject.startsWith('New policy to acknowledge'));

  it('starts cycle 2 after recurrenceDays with new runs and one notice per person; cycle 1 stays; retiring stops cycle 3', async () => {
    const tenant = await buildTenant();
    const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const ada = await buildUser({ tenantId: tenant.id, role: 'adjuster', managerId: manager.id });
    const bob = await buildUser({ tenantId: tenant.id, role: 'adjuster', managerId: manager.id });
    const policy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, recurrenceDays: RECURRENCE_DAYS });
    const publishedAt = new Date(Number(await env.currentTimeMs()));
    const version = await buildPolicyVersion({
      policyId: policy.id,
      status: 'published',
      audienceRoles: ['adjuster'],
      deadlineDays: DEADLINE_DAYS,
      publishedAt,
      dueAt: new Date(publishedAt.getTime() + DEADLINE_DAYS * DAY_MS),
    });

    // Started as publishing starts it: the anniversaries count from the publication, whatever the test does meanwhile.
    const recurrence = await env.client.workflow.start<ComplianceRecurrenceWorkflow>(complianceRecurrenceRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: complianceRecurrenceRun.id(policy.id),
      args: [{ tenantId: tenant.id, policyId: policy.id }],
    });

    // Cycle 1: the publication's rollout, as publishing starts it; Ada acknowledges, Bob does not.
    const rollout = await env.client.workflow.start<PolicyRolloutWorkflow>(policyRolloutRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: policyRolloutRun.id(version.id),
      args: [{ tenantId: tenant.id, versionId: version.id, retiredVersionIds: [] }],
    });
    // Waited for through the database: awaiting a result lets the time-skipping server skip ahead.
    await waitUntil(() => noticesTo(ada).length === 1 && noticesTo(bob).length === 1, 'cycle 1 notices');
    // The runs send the notices as they open, independently of the rollout's progress.
    const progress = await eventually(
      () => rollout.query(rolloutProgressQuery),
      (p) => p.phase === 'completed',
      'cycle 1 rollout completed',
    );
    expect(progress).toMatchObject({ acknowledgements: 2, runsStarted: 2 });
    const adaCycle1 = await Acknowledgement.findOne({ where: { versionId: version.id, employeeId: ada.id }, rejectOnEmpty: true });
    await env.client.workflow.getHandle(adaCycle1.workflowId!).executeUpdate(acknowledgeUpdate, { args: [{ userId: ada.id }] });

    // Past Bob's deadline and grace, one day short of the anniversary: still cycle 1.
    const anniversary = publishedAt.getTime() + RECURRENCE_DAYS * DAY_MS;
    await stack.skip(anniversary - DAY_MS - Number(await env.currentTimeMs()));
    const cycle1Before = await rowsOf(version.id, 1);
    expect(Object.fromEntries(cycle1Before.map((r) => [r.employeeId, r.status]))).toEqual({
      [ada.id]: 'acknowledged',
      [bob.id]: 'escalated',
    });
    expect((await version.reload()).cycle).toBe(1);

    await stack.skip('1 day');
    await waitUntil(async () => (await rowsOf(version.id, 2)).length === 2, 'cycle 2 acknowledgements');
    await waitUntil(() => noticesTo(ada).length === 2 && noticesTo(bob).length === 2, 'cycle 2 notices');
    await version.reload();
    const cycleStart = anniversary;
    expect(version.cycle).toBe(2);
    expect(version.cycleStartedAt?.getTime()).toBe(cycleStart);

    const cycle2 = await rowsOf(version.id, 2);
    for (const row of cycle2) {
      expect(row).toMatchObject({ status: 'pending', remindersSent: 0, escalationLevel: 0, acknowledgedAt: null });
      // The version's full window from the cycle's start; the run's ID names the cycle.
      expect(row.dueAt.getTime()).toBe(cycleStart + DEADLINE_DAYS * DAY_MS);
      expect(row.workflowId).toBe(`ack-${row.id}-c2`);
      const run = await env.client.workflow.getHandle(row.workflowId!).describe();
      expect(run.status.name).toBe('RUNNING');
    }
    const dueDay = new Date(cycleStart + DEADLINE_DAYS * DAY_MS).toISOString().slice(0, 10);
    expect(noticesTo(bob).at(-1)!.subject).toContain(`due ${dueDay}`);
    // Cycle 1's rows are untouched by the new cycle.
    expect(await rowsOf(version.id, 1)).toEqual(cycle1Before);
    const starts = await AuditEvent.findAll({ where: { entityId: version.id, action: 'policy_version.cycle_start' } });
    expect(starts.map((e) => [e.actorType, e.changes.cycle])).toEqual([['workflow', { before: 1, after: 2 }]]);

    // Cycle 2's own reminder reaches Bob under the cycle's key, once.
    await stack.skip(`${DEADLINE_DAYS - 2} days`);
    await waitUntil(async () => (await rowsOf(version.id, 2)).every((r) => r.remindersSent === 1), 'cycle 2 reminders');

    // Retired: the recurrence run ends, and the next anniversary starts nothing.
    await CompliancePolicy.update({ retiredAt: new Date() }, { where: { id: policy.id } });
    await recurrence.signal(recurrenceChangedSignal);
    expect(await resultOf(recurrence)).toBe('retired');
    // The first run waited for the anniversary and started cycle 2; the last found the policy retired.
    await recordHistory(
      env.client.workflow.getHandle(recurrence.workflowId, recurrence.firstExecutionRunId),
      'complianceRecurrenceWorkflow',
    );
    await recordHistory(recurrence, 'complianceRecurrenceWorkflow-retired');
    await stack.skip(`${RECURRENCE_DAYS} days`);
    expect((await version.reload()).cycle).toBe(2);
    expect(await Acknowledgement.count({ where: { versionId: version.id } })).toBe(4);
    expect(noticesTo(ada)).toHaveLength(2);
    expect(noticesTo(bob)).toHaveLength(2);
  });
});

async function rowsOf(versionId: string, cycle: number) {
  const rows = await Acknowledgement.findAll({ where: { versionId, cycle }, order: [['employeeId', 'ASC']] });
  return rows.map((r) => r.toJSON());
}
