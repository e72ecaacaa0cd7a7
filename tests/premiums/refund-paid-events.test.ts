/**
 * `invoice.refund_paid` (docs/webhooks.md, Event types): a tenant's endpoint is told once that a
 * premium refund was paid, whether the provider paid it (its answer to the refund's run, or Stripe's
 * `charge.refunded`) or staff recorded it paid back by hand; on real PostgreSQL, Temporal (the refund
 * and delivery runs on the stack's worker), stripe-mock, the outbox relay and an HTTP receiver on 127.0.0.1.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { relayOnce } from '../../src/api/temporal/outbox';
import { createPremiumRefundActivities } from '../../src/activities/premium-refunds';
import { premiumRefundRun, type PremiumRefundWorkflow } from '../../src/contracts/premium-refund';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { Invoice, PremiumRefund, type Tenant, type User, WebhookDelivery, WebhookEvent } from '../../src/models';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser, signedInBearer } from '../support/factories';
import type { TestStack } from '../support/stack';
import { startTestStack } from '../support/stack';
import {
  keepPaymentIntent,
  signedChargeRefunded,
  startRecordedStripeMock,
  stripeEnv,
  type RecordedStripeMock,
} from '../support/stripe-mock';
import { resultOf, waitUntil } from '../support/waiting';
import { startReceiver } from '../webhooks/receiver';

const system = { actor: { type: 'system' as const, id: null } };
const TYPE = 'com.insurflow.invoice.refund_paid';

let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;
let tenant: Tenant;
let admin: User;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let validData: (data: unknown) => boolean;

beforeAll(async () => {
  webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
  stripeMock = await startRecordedStripeMock();
  // The receiver listens on loopback: an endpoint there is accepted where private networks are.
  stack = await startTestStack({
    worker: true,
    env: { ...stripeEnv(stripeMock.apiBase, webhookSecret), WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  tenant = await buildTenant();
  admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  receiver = await startReceiver([200]);
  await stack.api
    .post('/api/v1/webhooks/endpoints')
    .set('Authorization', signedInBearer(stack.config, admin))
    .send({ url: receiver.url, eventTypes: ['invoice.refund_paid'] })
    .expect(201);
  const catalogue = await stack.api.get('/api/v1/webhooks/event-types').set('Authorization', bearer(stack.config, admin)).expect(200);
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const item = (catalogue.body.items as Array<{ cloudEventType: string; schema: object }>).find((i) => i.cloudEventType === TYPE);
  validData = ajv.compile(item!.schema);
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await stack?.close();
  await stripeMock?.close();
});

interface Delivered {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
}

/** The `invoice.refund_paid` events of `refundId` the receiver has read. */
const deliveredOf = (refundId: string): Delivered[] =>
  receiver.received.map((message) => JSON.parse(message.body) as Delivered).filter((event) => event.data.refundId === refundId);

/** Relays the outbox (the delivery runs' starts; the test stack runs no relay) until `refundId`'s event has arrived. */
async function untilDelivered(refundId: string): Promise<Delivered> {
  await waitUntil(
    async () => {
      await relayOnce(stack.services);
      return deliveredOf(refundId).length > 0;
    },
    `invoice.refund_paid of ${refundId} at the receiver`,
    30_000,
  );
  return deliveredOf(refundId)[0];
}

/** What was recorded for the tenant's endpoint: the refund's events and their deliveries. */
async function recordedFor(refundId: string) {
  const events = await WebhookEvent.findAll({ where: { tenantId: tenant.id, type: 'invoice.refund_paid' } });
  const ofRefund = events.filter((event) => event.data.refundId === refundId);
  return { events: ofRefund.length, deliveries: await WebhookDelivery.count({ where: { eventId: ofRefund.map((event) => event.id) } }) };
}

/** A 365.00 EUR annual policy of the tenant over 2026, paid in full (by cheque, or by card), cancelled on 11 January: 355.00 back. */
async function cancelledPolicy(card: boolean) {
  const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'annual', premium: '365.00', currency: 'EUR' });
  const policy = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
  await billCurrentTerm(stack.db.sequelize, policy.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: policy.id }, rejectOnEmpty: true });
  const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  if (card) await keepPaymentIntent(invoice, paymentIntentId);
  await applyPayment(
    stack.db.sequelize,
    {
      tenantId: tenant.id,
      invoiceId: invoice.id,
      amountMinor: 36500,
      method: card ? 'card' : 'cheque',
      provider: card ? 'stripe' : undefined,
      providerPaymentId: card ? paymentIntentId : undefined,
      receivedAt: new Date('2026-01-01T09:00:00Z'),
    },
    system,
  );
  await policy.update({ status: 'cancelled', cancelledAt: new Date('2026-01-11T12:00:00Z') });
  const [refund] = await refundOnCancellation(stack.db.sequelize, policy.id, system);
  expect(refund).toMatchObject({ amountMinor: 35500, status: card ? 'pending' : 'owed' });
  return { invoice, refund, paymentIntentId };
}

const payBack = (invoiceId: string, refundId: string, body: Record<string, unknown>) =>
  stack.api
    .post(`/api/v1/invoices/${invoiceId}/refunds/${refundId}/paid`)
    .set('Authorization', bearer(stack.config, admin))
    .set('Idempotency-Key', crypto.randomUUID())
    .send(body);

const chargeRefunded = (invoice: Invoice, paymentIntentId: string) => {
  const { body, signature } = signedChargeRefunded(invoice, { paymentIntentId, amountMinor: 36500, refundedMinor: 35500 }, webhookSecret);
  return stack.api
    .post('/api/v1/payments/webhooks/stripe')
    .set('Stripe-Signature', signature)
    .set('Content-Type', 'application/json')
    .send(body)
    .expect(200);
};

const runOf = (refund: PremiumRefund) => stack.temporal.workflow.getHandle<PremiumRefundWorkflow>(premiumRefundRun.id(refund.id));

it('tells the endpoint once of a refund recorded paid back by hand, with its day, method and reference; the same pay-back again tells nothing', async () => {
  const { invoice, refund } = await cancelledPolicy(false);
  const paidAt = new Date().toISOString();
  const body = { paidAt, method: 'bank_transfer', reference: 'SEPA RF18 0042' };
  await payBack(invoice.id, refund.id, body).expect(200);

  const event = await untilDelivered(refund.id);
  expect(event).toMatchObject({
    type: TYPE,
    subject: `invoices/${invoice.id}`,
    data: {
      refundId: refund.id,
      invoiceId: invoice.id,
      subscriptionId: invoice.subscriptionId,
      amountMinor: 35500,
      amount: '355.00',
      currency: 'EUR',
      paidAt,
      provider: null,
      method: 'bank_transfer',
      reference: 'SEPA RF18 0042',
    },
  });
  expect(validData(event.data)).toBe(true);

  // The same pay-back under another Idempotency-Key (its answer lost): answered as recorded, and not told again.
  await payBack(invoice.id, refund.id, body).expect(200);
  expect(await recordedFor(refund.id)).toEqual({ events: 1, deliveries: 1 });
  // Another pay-back told after it arrives; by then a second delivery of the first would have been relayed too.
  const later = await cancelledPolicy(false);
  await payBack(later.invoice.id, later.refund.id, { method: 'cheque', reference: 'Cheque 000123' }).expect(200);
  expect((await untilDelivered(later.refund.id)).data).toMatchObject({ method: 'cheque', reference: 'Cheque 000123', provider: null });
  expect(deliveredOf(refund.id)).toHaveLength(1);
});

it("tells the endpoint once of a refund the provider paid; a retried activity and Stripe's charge.refunded tell nothing more", async () => {
  const { invoice, refund, paymentIntentId } = await cancelledPolicy(true);
  await relayOnce(stack.services);
  expect(await resultOf(runOf(refund))).toBe('sent');

  const event = await untilDelivered(refund.id);
  expect(event.data).toMatchObject({ refundId: refund.id, amountMinor: 35500, provider: 'stripe', method: null, reference: null });
  expect(validData(event.data)).toBe(true);

  const again = await new MockActivityEnvironment().run(createPremiumRefundActivities(stack.deps).sendPremiumRefund, refund.id);
  expect(again).toBe('not_pending');
  expect((await chargeRefunded(invoice, paymentIntentId)).body.outcome).toBe('applied');
  await relayOnce(stack.services);
  expect(await recordedFor(refund.id)).toEqual({ events: 1, deliveries: 1 });
  expect(deliveredOf(refund.id)).toHaveLength(1);
});

it("tells the endpoint once of a refund Stripe's charge.refunded reports paid before the refund's run has sent it", async () => {
  const { invoice, refund, paymentIntentId } = await cancelledPolicy(true);
  // Stripe's event first (the refund made meanwhile, e.g. by the run of another worker): the row becomes succeeded.
  expect((await chargeRefunded(invoice, paymentIntentId)).body.outcome).toBe('applied');
  expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'succeeded' });

  const event = await untilDelivered(refund.id);
  expect(event.data).toMatchObject({ refundId: refund.id, provider: 'stripe', method: null });
  // The run then finds it no longer pending and sends nothing.
  expect(await resultOf(runOf(refund))).toBe('not_pending');
  expect(await recordedFor(refund.id)).toEqual({ events: 1, deliveries: 1 });
  expect(deliveredOf(refund.id)).toHaveLength(1);
});
