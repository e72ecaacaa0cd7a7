/**
 * A cancellation's refund of a card payment carried out at the provider (docs/premiums.md,
 * Refunds), on real PostgreSQL, Temporal and stripe-mock: the outbox starts one run per refund,
 * whose activity sends it once under the refund's idempotency key, waits out the provider being
 * down, and records a refusal for staff. Stripe's own `charge.refunded` afterwards adds nothing.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { relayOnce } from '../../src/api/temporal/outbox';
import { premiumRefundWorkflowId, type PremiumRefundWorkflow } from '../../src/contracts/premium-refund';
import { createPremiumRefundActivities } from '../../src/activities/premium-refunds';
import { AuditEvent, Invoice, PremiumRefund } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import type { TestStack } from '../support/stack';
import {
  keepPaymentIntent,
  refundsSentUnder,
  signedChargeRefunded,
  startStripeStack,
  type RecordedStripeMock,
  type StripeStack,
} from '../support/stripe-mock';
import { recordHistory } from '../support/histories';
import { eventually, resultOf } from '../support/waiting';

const system = { actor: { type: 'system' as const, id: null } };

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock, webhookSecret } = stripeStack);
});

afterAll(() => stripeStack?.close());

/** A policy of 120.00 billed monthly over 2026, its first instalment paid by card, cancelled on 21 January: 20 of 365 days used. */
async function cancelledAfterCardPayment(): Promise<{ refund: PremiumRefund; paymentIntentId: string; invoice: Invoice }> {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
  const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
  const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  await keepPaymentIntent(invoice, paymentIntentId);
  await applyPayment(
    stack.db.sequelize,
    {
      tenantId: plan.tenantId,
      invoiceId: invoice.id,
      amountMinor: 1000,
      method: 'card',
      provider: 'stripe',
      providerPaymentId: paymentIntentId,
      receivedAt: new Date('2026-01-01T09:00:00Z'),
    },
    system,
  );
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T10:00:00Z') });
  const [refund] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  return { refund, paymentIntentId, invoice };
}

const refundRequests = (refundId: string) => refundsSentUnder(stripeMock, `insurflow-refund-${refundId}`);

const runOf = (refund: PremiumRefund) => stack.temporal.workflow.getHandle<PremiumRefundWorkflow>(premiumRefundWorkflowId(refund.id));

it("sends the refund once under its own key, records the provider id, and Stripe's charge.refunded adds nothing", async () => {
  const { refund, paymentIntentId, invoice } = await cancelledAfterCardPayment();
  // 120.00 × 20 / 365 = 6.5753… earned, rounded up: 10.00 − 6.58 = 3.42 back.
  expect(refund).toMatchObject({ amountMinor: 342, status: 'pending', provider: 'stripe', providerRefundId: null });

  await relayOnce(stack.services);
  expect(await resultOf(runOf(refund))).toBe('sent');
  const [sent] = refundRequests(refund.id);
  expect(refundRequests(refund.id)).toHaveLength(1);
  expect(Object.fromEntries(sent.form)).toEqual({ amount: '342', payment_intent: paymentIntentId });
  const row = await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true });
  expect(row.providerRefundId).toMatch(/^re_/);
  expect(row.status).toBe('succeeded');
  expect(await AuditEvent.count({ where: { action: 'invoice.refund_sent', entityId: invoice.id } })).toBe(1);

  // A retried activity (its result lost) and a second delivery of the start change nothing.
  const again = await new MockActivityEnvironment().run(createPremiumRefundActivities(stack.deps).sendPremiumRefund, refund.id);
  expect(again).toBe('not_pending');
  await relayOnce(stack.services);
  expect(refundRequests(refund.id)).toHaveLength(1);

  // Stripe's event for the same refund finds it recorded: no second refund row.
  const { body, signature } = signedChargeRefunded(invoice, { paymentIntentId, amountMinor: 1000, refundedMinor: 342 }, webhookSecret);
  // Handed to the invoice model: it names the invoice's own PaymentIntent.
  const delivered = await stack.api
    .post('/api/v1/payments/webhooks/stripe')
    .set('Stripe-Signature', signature)
    .set('Content-Type', 'application/json')
    .send(body)
    .expect(200);
  expect(delivered.body.outcome).toBe('applied');
  expect((await PremiumRefund.findAll({ where: { invoiceId: invoice.id } })).map((r) => [r.amountMinor, r.status])).toEqual([
    [342, 'succeeded'],
  ]);
});

it('waits out the provider being down, retrying with back-off, and sends the refund once it is back', async () => {
  stripeMock.mode = 'down';
  try {
    const { refund } = await cancelledAfterCardPayment();
    await relayOnce(stack.services);
    // The run's activity has failed at least once against the stopped provider, and nothing is recorded.
    const failure = await eventually(
      async () => (await runOf(refund).describe()).raw.pendingActivities?.[0],
      (pending) => (pending?.attempt ?? 0) >= 2,
      'a second attempt of sendPremiumRefund',
      30_000,
    );
    expect(failure?.lastFailure?.message).toBe('The payment provider is unavailable (unreachable)');
    expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'pending', providerRefundId: null });

    stripeMock.mode = 'forward';
    expect(await resultOf(runOf(refund))).toBe('sent');
    await recordHistory(runOf(refund), 'premiumRefundWorkflow');
    expect(refundRequests(refund.id)).toHaveLength(1);
    expect((await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).providerRefundId).toMatch(/^re_/);
  } finally {
    stripeMock.mode = 'forward';
  }
});

it('records a refusal as a failed refund for staff to pay back by hand, without retrying it', async () => {
  stripeMock.mode = 'refuse';
  try {
    const { refund, invoice } = await cancelledAfterCardPayment();
    await relayOnce(stack.services);
    expect(await resultOf(runOf(refund))).toBe('refused');
    expect(refundRequests(refund.id)).toHaveLength(1);
    expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'failed', providerRefundId: null });
    const audit = await AuditEvent.findOne({ where: { action: 'invoice.refund_refused', entityId: invoice.id }, rejectOnEmpty: true });
    expect(audit.reason).toBe('provider_refused');
    expect(audit.changes.status?.after).toBe('failed');
    expect(audit.changes.providerError?.after).toMatch(/already been refunded/);
  } finally {
    stripeMock.mode = 'forward';
  }
});

it("shows the run to the tenant's staff in GET /workflows/:id, and to no one else", async () => {
  const { refund, invoice } = await cancelledAfterCardPayment();
  await relayOnce(stack.services);
  await resultOf(runOf(refund));
  const path = `/api/v1/workflows/${premiumRefundWorkflowId(refund.id)}`;
  const as = async (user: Parameters<typeof bearer>[1]) =>
    (await stack.api.get(path).set('Authorization', bearer(stack.config, user))).status;
  expect(await as(await buildUser({ tenantId: invoice.tenantId, role: 'claims_manager' }))).toBe(200);
  expect(await as(await buildUser({ tenantId: invoice.tenantId, role: 'policyholder' }))).toBe(404);
  expect(await as(await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' }))).toBe(404);
});
