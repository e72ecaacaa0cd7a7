/**
 * Money that arrives after a policy's cancellation (docs/premiums.md, Credit given back), on the real API and worker
 * with stripe-mock: a collecting tenant's policy of 120.00 a year paid by bank transfer, cancelled by its holder the
 * day it began (120.00 owed back), then a second 120.00 lands on the paid invoice, recorded by hand or as the card
 * payment the holder started before cancelling. Its 120.00 is credit the cancellation never counted: it is given back
 * with a credit refund (owed by hand, or through the provider for the card). It used to be refused 409
 * no_credit_left ("given back already ... by the cancellation"), the credit held on the policy for ever.
 */
import crypto from 'node:crypto';
import { relayOnce } from '../../src/api/temporal/outbox';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { Invoice, type Plan, PremiumPayment, PremiumRefund, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import type { TestStack } from '../support/stack';
import {
  deliverStripeEvent,
  refundsSentUnder,
  signedPaymentSucceeded,
  startStripeStack,
  type RecordedStripeMock,
  type StripeStack,
} from '../support/stripe-mock';
import { eventually } from '../support/waiting';

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;
let team: Record<'holder' | 'admin', User>;
let plan: Plan;
const { as } = apiClient(() => stack);

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock, webhookSecret } = stripeStack);
  const tenant = await buildTenant({}, { collectPremiums: true });
  const [holder, admin] = await Promise.all(
    (['policyholder', 'tenant_admin'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
  );
  team = { holder, admin };
  plan = await buildPlan({ tenantId: tenant.id, premium: '120.00', billingFrequency: 'annual', durationMonths: 12, currency: 'EUR' });
}, 300_000);

afterAll(() => stripeStack?.close());

/**
 * A policy taken out by the holder, its invoice of 120.00 (and, when `cardIntent`, the card payment the holder starts
 * for it) paid by bank transfer, then cancelled by the holder: its invoice, the intent, and the cancellation's refunds.
 */
async function paidAndCancelled(cardIntent = false) {
  const created = await stack.api.post('/api/v1/subscriptions').set(as(team.holder)).send({ planId: plan.id }).expect(202);
  const id = created.body.id as string;
  const invoice = (await eventually(
    () => Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } }),
    (found) => found !== null,
    `subscription ${id} billed`,
  ))!;
  const intent = cardIntent
    ? ((await stack.api.post(`/api/v1/invoices/${invoice.id}/payment-intent`).set(as(team.holder)).send().expect(200)).body as {
        paymentIntentId: string;
        amountMinor: number;
      })
    : undefined;
  await stack.api
    .post(`/api/v1/invoices/${invoice.id}/payments`)
    .set(as(team.admin))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ amount: '120.00', method: 'bank_transfer' })
    .expect(201);
  await eventually(
    () => stack.api.get(`/api/v1/subscriptions/${id}`).set(as(team.holder)).expect(200),
    (res) => res.body.status === 'active',
    `subscription ${id} active`,
  );
  await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(team.holder)).send({ reason: 'Sold the car' }).expect(200);
  const cancellation = await eventually(
    () => PremiumRefund.findAll({ where: { subscriptionId: id } }),
    (found) => found.length > 0,
    `the cancellation of ${id} refunded`,
  );
  // Cancelled the day it began: the whole 120.00 is owed back, from the bank transfer.
  expect(cancellation.map((refund) => [refund.amountMinor, refund.status])).toEqual([[12000, 'owed']]);
  return { subscriptionId: id, invoice, intent };
}

const creditRefund = (invoiceId: string, paymentId: string) =>
  stack.api
    .post(`/api/v1/invoices/${invoiceId}/payments/${paymentId}/credit-refund`)
    .set(as(team.admin))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({});

const statementOf = async (subscriptionId: string) =>
  (await stack.api.get(`/api/v1/subscriptions/${subscriptionId}/statement`).set(as(team.admin)).expect(200)).body.figures[0];

it('gives back a payment recorded by hand after the cancellation: its credit is refundable once, owed by hand, and the books balance', async () => {
  const { subscriptionId, invoice } = await paidAndCancelled();
  const late = await stack.api
    .post(`/api/v1/invoices/${invoice.id}/payments`)
    .set(as(team.admin))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ amount: '120.00', method: 'bank_transfer', excessAsCredit: true })
    .expect(201);
  expect(late.body.payment).toMatchObject({ amountMinor: 12000, creditMinor: 12000 });
  expect(await statementOf(subscriptionId)).toMatchObject({ paid: '240.00', credit: '120.00', refundPending: '120.00' });

  const given = await creditRefund(invoice.id, late.body.payment.id);
  expect([given.status, given.body.error]).toEqual([201, undefined]);
  expect(given.body.refund).toMatchObject({ paymentId: late.body.payment.id, amountMinor: 12000, status: 'owed', provider: null });
  expect(await statementOf(subscriptionId)).toMatchObject({ paid: '240.00', credit: '0.00', refundPending: '240.00' });
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);

  // Once: asked again, nothing is left; the first payment's refund stays the cancellation's.
  const again = await creditRefund(invoice.id, late.body.payment.id);
  expect([again.status, again.body.error?.details?.[0]?.rule]).toEqual([409, 'no_credit_left']);
  const first = await PremiumPayment.findOne({ where: { invoiceId: invoice.id, creditMinor: 0 }, rejectOnEmpty: true });
  const before = await creditRefund(invoice.id, first.id);
  expect([before.status, before.body.error?.details?.[0]?.rule]).toEqual([409, 'no_credit_left']);
  expect(await PremiumRefund.count({ where: { subscriptionId } })).toBe(2);
});

it('gives back, through Stripe, the card payment the holder started before cancelling that lands after it', async () => {
  const { subscriptionId, invoice, intent } = await paidAndCancelled(true);
  expect(intent?.amountMinor).toBe(12000);
  const delivered = await deliverStripeEvent(
    stack,
    signedPaymentSucceeded(invoice, { paymentIntentId: intent!.paymentIntentId, amountMinor: 12000 }, webhookSecret),
  );
  expect(delivered.body.outcome).toBe('applied');
  const card = await PremiumPayment.findOne({ where: { invoiceId: invoice.id, method: 'card' }, rejectOnEmpty: true });
  expect([card.amountMinor, card.creditMinor]).toEqual([12000, 12000]);

  const given = await creditRefund(invoice.id, card.id);
  expect([given.status, given.body.error]).toEqual([201, undefined]);
  expect(given.body.refund).toMatchObject({ paymentId: card.id, amountMinor: 12000, status: 'pending', provider: 'stripe' });
  const refundId = given.body.refund.id as string;
  // The relay the API runs every second, once.
  await relayOnce(stack.services);
  await eventually(
    () => PremiumRefund.findByPk(refundId, { rejectOnEmpty: true }),
    (row) => row.status === 'succeeded',
    'the late card payment refunded at Stripe',
  );
  const sent = refundsSentUnder(stripeMock, `insurflow-refund-${refundId}`);
  expect(Object.fromEntries(sent[0].form)).toEqual({ amount: '12000', payment_intent: intent!.paymentIntentId });
  expect(await statementOf(subscriptionId)).toMatchObject({ paid: '240.00', refunded: '120.00', credit: '0.00', refundPending: '120.00' });
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);
});
