/**
 * The subscription workflow on the time-skipping server, with its real activities (PostgreSQL
 * and a real SMTP sink): months of timers run in seconds.
 */
import crypto from 'node:crypto';
import { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AuditEvent, type Plan, Subscription, Tenant, TenantSettings, User } from '../../src/models';
import {
  cancelSubscriptionUpdate,
  renewSubscriptionUpdate,
  SubscriptionActor,
  subscriptionStateQuery,
  SubscriptionTerms,
  subscriptionRun,
  SubscriptionWorkflow,
  SubscriptionWorkflowInput,
} from '../../src/contracts/subscription';
import { DAY_MS } from '../../src/shared/time';
import { buildCategory, buildPlan, buildSubscription, buildTenant, buildUser, planTerms } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf, waitUntil, within } from '../support/waiting';
import { aboutPolicy } from '../support/policy-mails';

/**
 * The same day twelve months on, or that month's last day when it has no such day: a term begun on 29 February ends on
 * 28 February (docs/premiums.md, months clamped to the last day). Day arithmetic gave 1 March: the tests failed on a 29 February.
 */
function twelveMonthsAfter(day: string): string {
  const [year, month, dayOfMonth] = day.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year + 1, month, 0)).getUTCDate();
  return `${year + 1}-${String(month).padStart(2, '0')}-${String(Math.min(dayOfMonth, lastDay)).padStart(2, '0')}`;
}

const TASK_QUEUE = 'subscriptions-time-skipping';

describe('subscription workflow (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let tenant: Tenant;
  let owner: User;
  let otherPolicyholder: User;
  let admin: User;
  let plan: Plan;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    await stack.startWorker(TASK_QUEUE);

    tenant = await buildTenant();
    [owner, otherPolicyholder, admin] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
    ]);
    const category = await buildCategory({ tenantId: tenant.id, name: 'Apartments' });
    plan = await buildPlan({
      categoryId: category.id,
      name: 'Apartment Standard',
      coverageAmount: '50000.00',
      premium: '240.00',
      durationMonths: 12,
    });
  });

  afterAll(() => stack?.close());

  const as = (user: User): SubscriptionActor => ({ userId: user.id, role: user.role });

  /** Waits until the run has activated the subscription, as an API client polling GET /subscriptions/:id would. */
  async function untilActive(handle: WorkflowHandle<SubscriptionWorkflow>): Promise<void> {
    await waitUntil(async () => (await handle.query(subscriptionStateQuery)).status === 'active', `${handle.workflowId} active`);
  }

  /** The terms of the owner's subscription to the plan, as the API starts its run with them. */
  const ownersTerms = (subscriptionId: string): SubscriptionTerms => planTerms(plan, owner.id, subscriptionId);

  /** Starts a run (no search attributes: the time-skipping server has none registered) and waits until it is active. */
  async function subscribe(taskQueue = TASK_QUEUE): Promise<WorkflowHandle<SubscriptionWorkflow>> {
    const subscriptionId = crypto.randomUUID();
    const handle = await env.client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      taskQueue,
      workflowId: subscriptionRun.id(subscriptionId),
      args: [{ terms: ownersTerms(subscriptionId) }],
    });
    await untilActive(handle);
    return handle;
  }

  const subscriptionIdOf = (handle: WorkflowHandle) => handle.workflowId.replace('subscription-', '');
  const mailFor = async (handle: WorkflowHandle, subject: string) => {
    const about = await aboutPolicy(subscriptionIdOf(handle));
    return smtp.waitFor((m) => about(m) && m.subject.includes(subject));
  };

  /** The server clock runs on after a run closes, so the run's own close time says when it expired. */
  const closingDay = async (handle: WorkflowHandle) => (await handle.describe()).closeTime?.toISOString().slice(0, 10);

  async function rejection(update: Promise<unknown>): Promise<string | undefined> {
    const err = await update.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return (cause as ApplicationFailure).type ?? undefined;
  }

  it('activates a 12-month subscription, reminds before the end and expires on the end date', async () => {
    const startedAt = Date.now();
    const handle = await subscribe();
    const active = await handle.query(subscriptionStateQuery);
    expect(active).toMatchObject({ status: 'active', renewalCount: 0, renewalReminderSent: false });
    const row = await Subscription.findByPk(subscriptionIdOf(handle));
    expect(row).toMatchObject({ status: 'active', startDate: active.startDate, endDate: active.endDate, workflowId: handle.workflowId });
    // Its move to active records the day cover began: the term's first.
    expect(row?.coverBeganOn).toBe(active.startDate);
    // Twelve calendar months, whatever the start day.
    expect(active.endDate).toBe(twelveMonthsAfter(active.startDate!));
    await mailFor(handle, 'is active');

    const result = await resultOf(handle);

    expect(result.status).toBe('expired');
    expect(await closingDay(handle)).toBe(active.endDate);
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({ status: 'expired', endDate: active.endDate });
    await mailFor(handle, 'ends on');
    await mailFor(handle, 'has expired');
    // Each step recorded by the run with its change, in order; the expiry by the workflow itself.
    const trail = await AuditEvent.findAll({ where: { entityId: subscriptionIdOf(handle) }, order: [['id', 'ASC']] });
    expect(trail.map((e) => [e.action, e.actorType, e.workflowId])).toEqual([
      ['subscription.create', 'user', handle.workflowId],
      ['subscription.activate', 'workflow', handle.workflowId],
      ['subscription.expire', 'workflow', handle.workflowId],
    ]);
    expect(trail[2].changes).toEqual({ status: { before: 'active', after: 'expired' } });
    await recordHistory(handle, 'subscriptionWorkflow-rows-in-task-expiry');
    process.stdout.write(`[subscriptions] 12-month time-skipping run: ${Date.now() - startedAt} ms of wall time\n`);
  });

  it('sends the renewal reminder 30 days before the end, not earlier, and only then allows renewal', async () => {
    const handle = await subscribe();
    const { renewableFrom, endDate } = await handle.query(subscriptionStateQuery);
    expect(Date.parse(`${endDate}T00:00:00Z`) - Date.parse(renewableFrom!)).toBe(30 * DAY_MS);

    await stack.skip(Date.parse(renewableFrom!) - Number(await env.currentTimeMs()) - DAY_MS, handle);
    expect((await handle.query(subscriptionStateQuery)).renewalReminderSent).toBe(false);
    const about = await aboutPolicy(subscriptionIdOf(handle));
    expect(smtp.messages.some((m) => about(m) && m.subject.includes('ends on'))).toBe(false);
    expect(await rejection(handle.executeUpdate(renewSubscriptionUpdate, { args: [as(owner)] }))).toBe('InvalidTransition');

    await stack.skip(2 * DAY_MS, handle);
    const reminder = await mailFor(handle, `ends on ${endDate}`);
    expect(reminder.text).toContain('renew');
    expect((await handle.query(subscriptionStateQuery)).renewalReminderSent).toBe(true);
    await stack.terminate(handle);
  });

  it('renews inside the window: the end date moves by the plan duration and the next run expires then', async () => {
    const handle = await subscribe();
    const first = await handle.query(subscriptionStateQuery);
    await stack.skip(Date.parse(first.renewableFrom!) - Number(await env.currentTimeMs()) + DAY_MS, handle);

    const renewed = await handle.executeUpdate(renewSubscriptionUpdate, { args: [as(owner)] });

    const expectedEnd = twelveMonthsAfter(first.endDate!);
    expect(renewed).toMatchObject({ status: 'active', endDate: expectedEnd, renewalCount: 1, startDate: first.startDate });
    // A renewal keeps the day its first term's cover began.
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({
      status: 'active',
      endDate: expectedEnd,
      renewalCount: 1,
      coverBeganOn: first.startDate,
    });
    await mailFor(handle, 'is renewed');

    const result = await resultOf(handle);
    expect(result).toMatchObject({ status: 'expired', endDate: expectedEnd });
    expect(await closingDay(handle)).toBe(expectedEnd);
    // The renewal continued-as-new: a fresh run owned the next period and re-armed its reminder.
    expect((await handle.describe()).runId).not.toBe(first.runId);
    await mailFor(handle, `ends on ${expectedEnd}`);
  });

  it("the renewal reads the tenant's settings for the next period and hands them over: the next run reads none itself", async () => {
    const handle = await subscribe();
    const first = await handle.query(subscriptionStateQuery);
    await stack.skip(Date.parse(first.renewableFrom!) - Number(await env.currentTimeMs()) + DAY_MS, handle);
    // Changed during the period: it applies from the next one.
    await TenantSettings.update(
      { values: { collectPremiums: false, subscriptionRenewalReminderDays: 45 } },
      { where: { tenantId: tenant.id } },
    );
    try {
      const renewed = await handle.executeUpdate(renewSubscriptionUpdate, { args: [as(owner)] });
      await waitUntil(async () => (await handle.describe()).runId !== first.runId, 'the renewed run continuing as new');

      const next = await handle.query(subscriptionStateQuery);
      expect(Date.parse(`${renewed.endDate}T00:00:00Z`) - Date.parse(next.renewableFrom!)).toBe(45 * DAY_MS);
      const { events } = await handle.fetchHistory();
      const input = env.client.options.loadedDataConverter.payloadConverter.fromPayload<SubscriptionWorkflowInput>(
        events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0],
      );
      expect(input.policy).toMatchObject({ renewalReminderDays: 45, collectPremiums: false });
      const localSteps = events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
      expect(localSteps).toEqual([]);
      await expect(handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(owner)] })).resolves.toMatchObject({ status: 'cancelled' });
      await recordHistory(env.client.workflow.getHandle(handle.workflowId, first.runId), 'subscriptionWorkflow-settings-handed-over');
      await recordHistory(handle, 'subscriptionWorkflow-settings-handed-over-next-period');
    } finally {
      await TenantSettings.update({ values: { collectPremiums: false } }, { where: { tenantId: tenant.id } });
    }
  });

  it('renews and cancels in the same window: the cancel is refused (409), the run hands over to the next period and stays cancellable', async () => {
    // The renewal e-mail waits until the test lets it go: the window between the persisted
    // renewal and the continue-as-new, where a cancel used to wait forever and hold the run.
    let reachRenewalEmail!: () => void;
    let releaseRenewalEmail!: () => void;
    const atRenewalEmail = new Promise<void>((resolve) => (reachRenewalEmail = resolve));
    const renewalEmailReleased = new Promise<void>((resolve) => (releaseRenewalEmail = resolve));
    const gatedQueue = `${TASK_QUEUE}-gated-renewal`;
    await stack.startWorker(gatedQueue, {
      async sendEmail(input) {
        if (input.idempotencyKey.includes(':renewed:')) {
          reachRenewalEmail();
          await renewalEmailReleased;
        }
        return stack.activities.sendEmail(input);
      },
    });
    const handle = await subscribe(gatedQueue);
    const first = await handle.query(subscriptionStateQuery);
    await stack.skip(Date.parse(first.renewableFrom!) - Number(await env.currentTimeMs()) + DAY_MS, handle);

    const renewed = await handle.executeUpdate(renewSubscriptionUpdate, { args: [as(owner)] });
    expect(renewed).toMatchObject({ status: 'active', renewalCount: 1 });
    await within(atRenewalEmail, 'the renewal e-mail activity');
    expect(await rejection(handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(owner)] }))).toBe('Conflict');
    releaseRenewalEmail();

    // The next period's run takes over (same workflow ID, new run) and accepts a cancel.
    await waitUntil(async () => (await handle.describe()).runId !== first.runId, 'the renewed run continuing as new');
    await expect(handle.query(subscriptionStateQuery)).resolves.toMatchObject({
      status: 'active',
      renewalCount: 1,
      changeInProgress: null,
    });
    await expect(handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(owner)] })).resolves.toMatchObject({ status: 'cancelled' });
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({ status: 'cancelled', renewalCount: 1 });
    await recordHistory(
      env.client.workflow.getHandle(handle.workflowId, first.runId),
      'subscriptionWorkflow-rows-in-task-renew-cancel-refused',
    );
  });

  it('a run handed a period that has already ended expires in its first task, without a timer, and writes its rows in the workflow task', async () => {
    const endDate = new Date(Number(await env.currentTimeMs())).toISOString().slice(0, 10);
    const row = await buildSubscription({ planId: plan.id, policyholderId: owner.id, startDate: endDate, endDate });
    const handle = await env.client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: subscriptionRun.id(row.id),
      args: [{ terms: ownersTerms(row.id), period: { startDate: endDate, endDate, renewalCount: 0 } }],
    });

    await expect(resultOf(handle)).resolves.toMatchObject({ status: 'expired', endDate });
    await expect(Subscription.findByPk(row.id)).resolves.toMatchObject({ status: 'expired' });
    await mailFor(handle, 'has expired');
    const { events } = await handle.fetchHistory();
    const types = (events ?? []).map((e) => e.eventType);
    expect(types.filter((t) => t === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED)).toHaveLength(0);
    // The policy read and the row change are local activities (markers); only the e-mail is scheduled.
    expect(types.filter((t) => t === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toHaveLength(1);
    expect(types.filter((t) => t === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(2);
    await recordHistory(handle, 'subscriptionWorkflow-rows-in-task-due-expiry');
  });

  it('cancels before expiry when the owner asks; the row, the run and the mailbox agree', async () => {
    const handle = await subscribe();
    await stack.skip(40 * DAY_MS, handle);

    const cancelled = await handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(owner)] });

    expect(cancelled.status).toBe('cancelled');
    const row = await Subscription.findByPk(subscriptionIdOf(handle));
    expect(row).toMatchObject({ status: 'cancelled', cancelledById: owner.id });
    expect(row?.cancelledAt).toBeInstanceOf(Date);
    await expect(resultOf(handle)).resolves.toMatchObject({ status: 'cancelled' });
    await mailFor(handle, 'is cancelled');
    await recordHistory(handle, 'subscriptionWorkflow-rows-in-task-cancel');
  });

  it('rejects illegal moves and callers without the right, changing nothing', async () => {
    const handle = await subscribe();
    const before = await handle.query(subscriptionStateQuery);

    expect(await rejection(handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(otherPolicyholder)] }))).toBe('Forbidden');
    expect(await rejection(handle.executeUpdate(renewSubscriptionUpdate, { args: [as(admin)] }))).toBe('Forbidden');
    expect(await rejection(handle.executeUpdate(renewSubscriptionUpdate, { args: [as(owner)] }))).toBe('InvalidTransition');

    expect(await handle.query(subscriptionStateQuery)).toEqual(before);
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({
      status: 'active',
      endDate: before.endDate,
      renewalCount: 0,
    });

    // A tenant admin may cancel someone else's subscription.
    await expect(handle.executeUpdate(cancelSubscriptionUpdate, { args: [as(admin)] })).resolves.toMatchObject({ status: 'cancelled' });
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({ status: 'cancelled', cancelledById: admin.id });
  });
});
