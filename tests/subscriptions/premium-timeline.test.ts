/**
 * The money timeline of a subscription run on the time-skipping server, with its real activities
 * (PostgreSQL, a real SMTP sink): pending_payment until the first instalment is paid, reminders,
 * grace, lapse, reinstatement and cancellation for non-payment, months of timers in seconds.
 */
import crypto from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Invoice, type Plan, Subscription, type Tenant, type User } from '../../src/models';
import type { SignalWorkflowPayload } from '../../src/models/outbox-message';
import {
  NON_PAYMENT_REASON,
  subscriptionRun,
  SubscriptionWorkflow,
  subscriptionStateQuery,
  SubscriptionStatus,
} from '../../src/contracts/subscription';
import { applyPayment } from '../../src/domain/premiums/payments';
import { buildCategory, buildPlan, buildTenant, buildUser, planTerms } from '../support/factories';
import type { SmtpSink } from '../support/smtp-sink';
import { recordHistory } from '../support/histories';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf, waitUntil } from '../support/waiting';
import { aboutPolicy } from '../support/policy-mails';

const TASK_QUEUE = 'premium-timeline-time-skipping';

describe('premium timeline of a subscription run (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let tenant: Tenant;
  let owner: User;
  let plan: Plan;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    await stack.startWorker(TASK_QUEUE);
    // The product default: a new subscription covers once its first premium is paid.
    tenant = await buildTenant({}, { collectPremiums: true });
    owner = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const category = await buildCategory({ tenantId: tenant.id, name: 'Apartments' });
    plan = await buildPlan({
      categoryId: category.id,
      name: 'Apartment Monthly',
      coverageAmount: '50000.00',
      premium: '120.00',
      durationMonths: 12,
      billingFrequency: 'monthly',
    });
  });

  afterAll(() => stack?.close());

  const subscriptionIdOf = (handle: WorkflowHandle) => handle.workflowId.replace('subscription-', '');
  const mailFor = async (handle: WorkflowHandle, subject: string) => {
    const about = await aboutPolicy(subscriptionIdOf(handle));
    return smtp.waitFor((m) => about(m) && m.subject.includes(subject));
  };
  const mailsFor = async (handle: WorkflowHandle, subject: string) => {
    const about = await aboutPolicy(subscriptionIdOf(handle));
    return smtp.messages.filter((m) => about(m) && m.subject.includes(subject));
  };

  async function untilStatus(handle: WorkflowHandle<SubscriptionWorkflow>, status: SubscriptionStatus): Promise<void> {
    await waitUntil(async () => (await handle.query(subscriptionStateQuery)).status === status, `${handle.workflowId} ${status}`);
  }

  async function subscribe(): Promise<WorkflowHandle<SubscriptionWorkflow>> {
    const subscriptionId = crypto.randomUUID();
    const handle = await env.client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: subscriptionRun.id(subscriptionId),
      args: [{ terms: planTerms(plan, owner.id, subscriptionId) }],
    });
    await untilStatus(handle, 'pending_payment');
    return handle;
  }

  const instalment = (handle: WorkflowHandle, sequence: number) =>
    Invoice.findOne({ where: { subscriptionId: subscriptionIdOf(handle), sequence }, rejectOnEmpty: true });

  /** Pays the invoice as a manual payment does, and delivers the run's signal as the outbox relay would. */
  async function pay(handle: WorkflowHandle, sequence: number): Promise<void> {
    const invoice = await instalment(handle, sequence);
    const applied = await applyPayment(
      stack.deps.sequelize,
      {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        amountMinor: Number(invoice.amountMinor),
        method: 'bank_transfer',
        receivedAt: new Date(),
      },
      { actor: { type: 'system', id: null } },
    );
    expect(applied.invoice.status).toBe('paid');
    expect(applied.runSignal?.workflowId).toBe(handle.workflowId);
    const { signalName, args } = applied.runSignal!.payload as SignalWorkflowPayload;
    await handle.signal(signalName, ...args);
  }

  const lapsesOf = (handle: WorkflowHandle) =>
    stack.deps.sequelize.query<{ startedOn: string; endedOn: string | null }>(
      'SELECT started_on::text AS "startedOn", ended_on::text AS "endedOn" FROM lapse_periods WHERE subscription_id = :id ORDER BY started_on',
      { type: QueryTypes.SELECT, replacements: { id: subscriptionIdOf(handle) } },
    );

  it('is pending_payment, billed, until its first instalment is paid; then active', async () => {
    const handle = await subscribe();
    const row = await Subscription.findByPk(subscriptionIdOf(handle), { rejectOnEmpty: true });
    expect(row.status).toBe('pending_payment');
    // The term is billed while pending: 12 monthly instalments of 10.00.
    expect(await Invoice.count({ where: { subscriptionId: row.id } })).toBe(12);
    await mailFor(handle, 'awaits its first premium');

    await pay(handle, 1);
    await untilStatus(handle, 'active');
    await expect(row.reload()).resolves.toMatchObject({ status: 'active' });
    await mailFor(handle, 'is active');
    const trail = await AuditEvent.findAll({ where: { entityId: row.id }, order: [['id', 'ASC']] });
    expect(trail.map((e) => e.action)).toEqual(['subscription.create', 'subscription.await_payment', 'subscription.activate']);
    await stack.terminate(handle);
  });

  it('is active once its first instalment is paid before the run first reads its dues (the payment landed right after the billing)', async () => {
    // The run's first read of its dues finds the first instalment paid: the payment committed between the billing and
    // that read (its signal is never delivered here: no relay, the read alone must do). The run took the second
    // instalment, due in a month, for the first premium, and waited for it, the policy paid and not covering.
    const queue = `${TASK_QUEUE}-paid-before-read`;
    const paidFirst = new Set<string>();
    await stack.startWorker(queue, {
      async loadPremiumDues(subscriptionId) {
        if (!paidFirst.has(subscriptionId)) {
          paidFirst.add(subscriptionId);
          const invoice = await Invoice.findOne({ where: { subscriptionId, sequence: 1 }, rejectOnEmpty: true });
          const received = { invoiceId: invoice.id, amountMinor: Number(invoice.amountMinor), method: 'bank_transfer' as const };
          await applyPayment(
            stack.deps.sequelize,
            { tenantId: tenant.id, ...received, receivedAt: new Date() },
            { actor: { type: 'system', id: null } },
          );
        }
        return stack.activities.loadPremiumDues(subscriptionId);
      },
    });
    const subscriptionId = crypto.randomUUID();
    const handle = await env.client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
      taskQueue: queue,
      workflowId: subscriptionRun.id(subscriptionId),
      args: [{ terms: planTerms(plan, owner.id, subscriptionId) }],
    });
    await untilStatus(handle, 'active');
    await expect(Subscription.findByPk(subscriptionId)).resolves.toMatchObject({ status: 'active' });
    await mailFor(handle, 'is active');
    expect(await mailsFor(handle, 'awaits its first premium')).toEqual([]);
    await stack.terminate(handle);
  });

  /** The run ends cancelled for non-payment: its result, the row with the reason, and the policyholder's mail. */
  async function endsCancelledForNonPayment(handle: WorkflowHandle<SubscriptionWorkflow>): Promise<void> {
    expect((await resultOf(handle)).status).toBe('cancelled');
    await expect(Subscription.findByPk(subscriptionIdOf(handle))).resolves.toMatchObject({
      status: 'cancelled',
      cancellationReason: NON_PAYMENT_REASON,
    });
    await mailFor(handle, 'cancelled for non-payment');
  }

  it('is cancelled for non-payment when the first instalment is unpaid after the grace period', async () => {
    const handle = await subscribe();
    await endsCancelledForNonPayment(handle);
  });

  it('reminds before a due date, lapses after the grace period and is reinstated when paid', async () => {
    const handle = await subscribe();
    await pay(handle, 1);
    await untilStatus(handle, 'active');
    const second = await instalment(handle, 2);

    // Past the second instalment's due date (one month) and its 14 days of grace.
    await stack.skip('50 days', handle);
    await untilStatus(handle, 'lapsed');
    await mailFor(handle, `premium is due on ${second.dueDate}`);
    await mailFor(handle, 'has lapsed');
    const [lapse] = await lapsesOf(handle);
    expect(lapse).toMatchObject({ endedOn: null });
    expect(lapse.startedOn >= second.dueDate).toBe(true);
    expect((await handle.query(subscriptionStateQuery)).lapsedSince).toBe(lapse.startedOn);

    await pay(handle, 2);
    await untilStatus(handle, 'active');
    await mailFor(handle, 'is reinstated');
    const [closed] = await lapsesOf(handle);
    expect(closed.endedOn).not.toBeNull();
    const actions = (await AuditEvent.findAll({ where: { entityId: subscriptionIdOf(handle) }, order: [['id', 'ASC']] })).map(
      (e) => e.action,
    );
    expect(actions.slice(-2)).toEqual(['subscription.lapse', 'subscription.reinstate']);
    // One e-mail per step, whatever the activities retried.
    expect(await mailsFor(handle, 'has lapsed')).toHaveLength(1);
    expect(await mailsFor(handle, `premium is due on ${second.dueDate}`)).toHaveLength(1);
    await recordHistory(handle, 'subscriptionWorkflow-premium-lapse-reinstated');
    await stack.terminate(handle);
  });

  it('is cancelled for non-payment when still unpaid at the end of the reinstatement window', async () => {
    const handle = await subscribe();
    await pay(handle, 1);
    await untilStatus(handle, 'active');
    await stack.skip('50 days', handle);
    await untilStatus(handle, 'lapsed');

    await endsCancelledForNonPayment(handle);
    // Coverage never came back: the lapse stays open.
    expect(await lapsesOf(handle)).toEqual([expect.objectContaining({ endedOn: null })]);
    await recordHistory(handle, 'subscriptionWorkflow-premium-lapse-cancelled');
  });
});
