/**
 * The reconciler's check of invoices against their runs (docs/operating.md, Invoices and their
 * runs), on real PostgreSQL, Temporal and stripe-mock: a run that missed its first premium is told
 * again and activates the policy; a pending card refund whose run was never started gets one,
 * which sends it; one whose run was terminated is reported stuck; the overdue gauges count what
 * is owed per currency.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Gauge } from 'prom-client';
import { createPremiumReconcilerActivities } from '../../src/activities/premium-reconciler';
import { premiumRefundRun, type PremiumRefundWorkflow } from '../../src/contracts/premium-refund';
import { Invoice, PremiumRefund, type Plan } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { invoicesOverdue, invoicesOverdueAmount, premiumRunDrift } from '../../src/observability/business-metrics';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { DAY_MS } from '../../src/shared/time';
import { housePlanThroughApi } from '../support/catalog-api';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { startRecordedStripeMock, stripeEnv, type RecordedStripeMock } from '../support/stripe-mock';
import { eventually, resultOf } from '../support/waiting';

const system = { actor: { type: 'system' as const, id: null } };
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let stripeMock: RecordedStripeMock;
let stack: TestStack;

beforeAll(async () => {
  stripeMock = await startRecordedStripeMock();
  stack = await startTestStack({ worker: true, env: stripeEnv(stripeMock.apiBase, `whsec_${crypto.randomBytes(24).toString('hex')}`) });
});

afterAll(async () => {
  await stack?.close();
  await stripeMock?.close();
});

/** One check as the reconciler's run makes it, every row old enough. */
const check = () =>
  new MockActivityEnvironment().run(createPremiumReconcilerActivities(stack.deps).checkPremiums, { graceSeconds: 0, batchSize: 100 });

async function gauge<L extends string>(metric: Gauge<L>, labels: Record<L, string>): Promise<number | undefined> {
  const { values } = await metric.get();
  const matches = (value: (typeof values)[number]) => (Object.keys(labels) as L[]).every((key) => value.labels[key] === labels[key]);
  return values.find(matches)?.value;
}

it('tells a run that missed its first premium again, and the policy becomes active', async () => {
  const tenant = await buildTenant({}, { collectPremiums: true });
  const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  const plan = await housePlanThroughApi(stack, bearer(stack.config, await buildUser({ tenantId: tenant.id, role: 'tenant_admin' })));
  const created = await stack.api
    .post('/api/v1/subscriptions')
    .set('Authorization', bearer(stack.config, holder))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ planId: plan.id })
    .expect(202);
  const subscriptionId = created.body.id as string;
  const statusOf = async () =>
    (await stack.api.get(`/api/v1/subscriptions/${subscriptionId}`).set('Authorization', bearer(stack.config, holder))).body.status;
  await eventually(statusOf, (status) => status === 'pending_payment', 'pending_payment');

  // Paid, but its signal stays in the outbox: no relay runs here, as if the API had been down since.
  const first = await Invoice.findOne({ where: { subscriptionId, sequence: 1 }, rejectOnEmpty: true });
  await applyPayment(
    stack.db.sequelize,
    { tenantId: tenant.id, invoiceId: first.id, amountMinor: first.amountMinor, method: 'bank_transfer', receivedAt: new Date() },
    system,
  );
  expect(await statusOf()).toBe('pending_payment');

  expect(await check()).toMatchObject({ paymentsResignalled: 1 });
  await eventually(statusOf, (status) => status === 'active', 'active after the check');
  expect(await gauge(premiumRunDrift, { finding: 'payment_unnoticed' })).toBe(1);
  expect(await check()).toMatchObject({ paymentsResignalled: 0 });
});

/** A policy paid by card and cancelled: its refund is `pending`, its run's start only in the outbox. */
async function pendingCardRefund(plan: Plan): Promise<PremiumRefund> {
  const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
  await applyPayment(
    stack.db.sequelize,
    {
      tenantId: plan.tenantId,
      invoiceId: invoice.id,
      amountMinor: invoice.amountMinor,
      method: 'card',
      provider: 'stripe',
      providerPaymentId: `pi_${crypto.randomBytes(8).toString('hex')}`,
      receivedAt: new Date('2026-01-01T09:00:00Z'),
    },
    system,
  );
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T10:00:00Z') });
  const [refund] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  return refund;
}

it('starts the run of a pending refund that has none, which sends it; reports one whose run was terminated', async () => {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
  const lost = await pendingCardRefund(plan);
  const run = (refund: PremiumRefund) => stack.temporal.workflow.getHandle<PremiumRefundWorkflow>(premiumRefundRun.id(refund.id));

  expect(await check()).toMatchObject({ refundsRestarted: 1, refundsStuck: 0 });
  expect(await resultOf(run(lost))).toBe('sent');
  expect((await PremiumRefund.findByPk(lost.id, { rejectOnEmpty: true })).providerRefundId).toMatch(/^re_/);

  // Another one's run, started while the provider is down, is terminated by an operator.
  stripeMock.mode = 'down';
  try {
    const abandoned = await pendingCardRefund(plan);
    expect(await check()).toMatchObject({ refundsRestarted: 1 });
    await eventually(
      async () => (await run(abandoned).describe()).raw.pendingActivities?.[0]?.attempt ?? 0,
      (attempt) => attempt >= 2,
      'a failed attempt',
    );
    await run(abandoned).terminate('operator: test');
    expect(await check()).toMatchObject({ refundsRestarted: 0, refundsStuck: 1 });
    expect(await gauge(premiumRunDrift, { finding: 'refund_stuck' })).toBe(1);
    expect(await PremiumRefund.findByPk(abandoned.id, { rejectOnEmpty: true })).toMatchObject({
      status: 'pending',
      providerRefundId: null,
    });
  } finally {
    stripeMock.mode = 'forward';
  }
});

it('counts the overdue invoices and what they owe, per currency', async () => {
  const plan = await buildPlan({ billingFrequency: 'annual', premium: '3650.00', currency: 'SEK' });
  const start = Date.parse(isoDay(Date.now())) - 40 * DAY_MS;
  for (const days of [0, 3]) {
    const policy = await buildSubscription({
      planId: plan.id,
      startDate: isoDay(start + days * DAY_MS),
      endDate: isoDay(start + 400 * DAY_MS),
    });
    await billCurrentTerm(stack.db.sequelize, policy.id);
  }
  await check();
  expect(await gauge(invoicesOverdue, { currency: 'SEK' })).toBe(2);
  expect(await gauge(invoicesOverdueAmount, { currency: 'SEK' })).toBe(730000);
});
