/**
 * Invoices paid through Stripe (docs/premiums.md, Payment provider), against a real stripe-mock
 * and real PostgreSQL: signed webhooks about an invoice's own PaymentIntent applied to it once, in
 * either order, racing a manual payment, and those about any other intent recorded and ignored;
 * and an invoice's PaymentIntent for its holder or staff, 503 fast with the provider down or
 * refusing our key.
 */
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import { QueryTypes } from 'sequelize';
import Stripe from 'stripe';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { paymentServices } from '../../src/domain/premiums/card-payments';
import { AuditEvent, Invoice, PaymentIntentRecord, PaymentProviderEvent, PremiumPayment, PremiumRefund, User } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import type { StripeSettings } from '../../src/config';
import { paymentProviderUnavailable } from '../../src/observability/business-metrics';
import { STRIPE_METADATA } from '../../src/services/payment-provider';
import { startStripeMock } from '../../scripts/local/stripe-mock-server';
import { simulatePayment } from '../../scripts/simulate-payment';
import { capturedLogger } from '../support/log-capture';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import {
  signedChargeRefunded,
  signedRefundEvent,
  startRecordedStripeMock,
  stripeEnv,
  type RecordedStripeMock,
} from '../support/stripe-mock';

const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(24).toString('hex')}`;
const WEBHOOK = '/api/v1/payments/webhooks/stripe';
/** A stopped provider answered in about 0.5 s on a loaded 2-core machine (one retry after a refused connection); twice that and more. */
const DOWN_ANSWER_WITHIN_MS = 2000;

const signer = new Stripe('sk_test_signer');
const eventId = () => `evt_${crypto.randomBytes(12).toString('hex')}`;
const otherIntentId = () => `pi_${crypto.randomBytes(8).toString('hex')}`;

function eventBody(type: string, object: Record<string, unknown>, id = eventId()): string {
  return JSON.stringify({ id, object: 'event', api_version: '2026-08-26.dahlia', created: 1_795_000_000, type, data: { object } });
}

let stripeMock: RecordedStripeMock;
let stack: TestStack;
let staff: User;
let holder: User;
let auth: Record<'staff' | 'holder' | 'otherHolder' | 'outsider', string>;
let invoices: Invoice[];
let monthlyPlanId: string;

beforeAll(async () => {
  stripeMock = await startRecordedStripeMock();
  stack = await startTestStack({ worker: false, env: stripeEnv(stripeMock.apiBase, WEBHOOK_SECRET) });
  const [tenant, other] = [await buildTenant(), await buildTenant()];
  staff = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  const otherHolder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  const outsider = await buildUser({ tenantId: other.id, role: 'tenant_admin' });
  auth = {
    staff: bearer(stack.config, staff),
    holder: bearer(stack.config, holder),
    otherHolder: bearer(stack.config, otherHolder),
    outsider: bearer(stack.config, outsider),
  };
  const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
  monthlyPlanId = plan.id;
  const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
});

afterAll(async () => {
  await stack?.close();
  await stripeMock?.close();
});

const metadataOf = (invoice: Invoice) => ({ [STRIPE_METADATA.invoiceId]: invoice.id, [STRIPE_METADATA.tenantId]: invoice.tenantId });

const succeeded = (invoice: Invoice, pi: string, amount = invoice.amountMinor, id?: string, currency = 'eur') =>
  eventBody(
    'payment_intent.succeeded',
    {
      id: pi,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      currency,
      status: 'succeeded',
      metadata: metadataOf(invoice),
    },
    id,
  );

/** Stripe's charge.refunded for the charge of `pi`, `amountRefunded` of `amount` refunded, as Stripe counts `currency`. */
const refunded = (invoice: Invoice, pi: string, amountRefunded: number, { amount = invoice.amountMinor, currency = 'eur' } = {}) =>
  signedChargeRefunded(
    invoice,
    { paymentIntentId: pi, chargeId: `ch_${pi.slice(3)}`, amountMinor: amount, refundedMinor: amountRefunded, currency },
    WEBHOOK_SECRET,
  ).body;

const disputed = (invoice: Invoice, pi: string, currency = 'eur') =>
  eventBody('charge.dispute.created', {
    id: `dp_${crypto.randomBytes(8).toString('hex')}`,
    object: 'dispute',
    amount: invoice.amountMinor,
    currency,
    payment_intent: pi,
    metadata: metadataOf(invoice),
  });

const deliver = (body: string, api = stack.api) =>
  api
    .post(WEBHOOK)
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', signer.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET }))
    .send(body);

/** The invoice's one PaymentIntent, as its holder asks for it to pay by card (stripe-mock makes it): the intent its events name. */
const intentOf = async (invoice: Invoice): Promise<string> =>
  (await stack.api.post(`/api/v1/invoices/${invoice.id}/payment-intent`).set('Authorization', auth.holder).send().expect(200)).body
    .paymentIntentId;

const REFUSED_LINE = 'payment event refused for the invoice it names';

/** An API on the stack's services whose log lines the test reads (the warnings of refused events), and its URL; closed by `close`. */
async function loggedApi() {
  const log = capturedLogger('api');
  const server: Server = createApp({ ...stack.services, logger: log.logger }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    deliver: (body: string) => deliver(body, supertest.agent(server)),
    refusals: () => log.lines().filter((line) => line.msg === REFUSED_LINE),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const reload = (invoice: Invoice) => Invoice.findByPk(invoice.id, { rejectOnEmpty: true });
const paymentsOf = (invoice: Invoice) => PremiumPayment.findAll({ where: { invoiceId: invoice.id }, order: [['createdAt', 'ASC']] });

describe('Stripe events applied to invoices', () => {
  it('pays the invoice named by a signed payment_intent.succeeded once; a replay, or the same payment under another event id, changes nothing', async () => {
    const invoice = invoices[0];
    const pi = await intentOf(invoice);
    const body = succeeded(invoice, pi);

    const first = await deliver(body);
    expect(first.body).toEqual({ received: true, duplicate: false, outcome: 'applied' });
    const replay = await deliver(body);
    expect(replay.body).toEqual({ received: true, duplicate: true, outcome: 'applied' });
    const redelivered = await deliver(succeeded(invoice, pi));
    expect(redelivered.body).toEqual({ received: true, duplicate: false, outcome: 'applied' });

    expect(await reload(invoice)).toMatchObject({ status: 'paid' });
    const payments = await paymentsOf(invoice);
    expect(payments.map((p) => [p.amountMinor, p.creditMinor, p.method, p.provider, p.providerPaymentId])).toEqual([
      [invoice.amountMinor, 0, 'card', 'stripe', pi],
    ]);
    expect(await AuditEvent.count({ where: { action: 'invoice.payment', entityId: invoice.id } })).toBe(1);
  });

  it('ends with one payment and its refund, invoice refunded, whichever of success and refund arrives first', async () => {
    const inOrder = invoices[1];
    const outOfOrder = invoices[2];
    const [first, second] = [await intentOf(inOrder), await intentOf(outOfOrder)];
    await deliver(succeeded(inOrder, first)).expect(200);
    await deliver(refunded(inOrder, first, inOrder.amountMinor)).expect(200);
    // The refund before the success: Stripe does not promise the order.
    await deliver(refunded(outOfOrder, second, outOfOrder.amountMinor)).expect(200);
    await deliver(succeeded(outOfOrder, second)).expect(200);

    for (const [invoice, pi] of [
      [inOrder, first],
      [outOfOrder, second],
    ] as const) {
      expect(await reload(invoice)).toMatchObject({ status: 'refunded' });
      const payments = await paymentsOf(invoice);
      expect(payments.map((p) => [p.amountMinor, p.creditMinor, p.providerPaymentId])).toEqual([[invoice.amountMinor, 0, pi]]);
      const refunds = await PremiumRefund.findAll({ where: { invoiceId: invoice.id } });
      expect(refunds.map((r) => [r.amountMinor, r.status, r.paymentId])).toEqual([[invoice.amountMinor, 'succeeded', payments[0].id]]);
    }
  });

  it("marks a cancellation's pending refund succeeded when the charge's refund arrives, adding no refund of its own", async () => {
    const invoice = invoices[3];
    const pi = await intentOf(invoice);
    await deliver(succeeded(invoice, pi)).expect(200);
    const [payment] = await paymentsOf(invoice);
    // As refundOnCancellation leaves it: a pending provider refund of part of the payment, the invoice partially refunded.
    const pending = await PremiumRefund.create({
      tenantId: invoice.tenantId,
      subscriptionId: invoice.subscriptionId,
      invoiceId: invoice.id,
      paymentId: payment.id,
      amountMinor: 500,
      currency: 'EUR',
      reason: 'Pro rata refund of the unused term on cancellation',
      status: 'pending',
      provider: 'stripe',
      dedupeKey: `${invoice.subscriptionId}:cancel:0:${payment.id}`,
    });
    await Invoice.update({ status: 'partially_refunded' }, { where: { id: invoice.id } });

    const answer = await deliver(refunded(invoice, pi, 500));
    expect(answer.body.outcome).toBe('applied');
    const refunds = await PremiumRefund.findAll({ where: { invoiceId: invoice.id } });
    expect(refunds.map((r) => [r.id, r.amountMinor, r.status])).toEqual([[pending.id, 500, 'succeeded']]);
    expect(await reload(invoice)).toMatchObject({ status: 'partially_refunded' });
  });

  it('records a failed payment and a dispute on the event and audit, leaving the invoice unpaid', async () => {
    const invoice = invoices[4];
    const pi = await intentOf(invoice);
    const failed = eventBody('payment_intent.payment_failed', {
      id: pi,
      object: 'payment_intent',
      amount: invoice.amountMinor,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: metadataOf(invoice),
    });
    expect((await deliver(failed)).body.outcome).toBe('applied');
    expect((await deliver(disputed(invoice, pi))).body.outcome).toBe('applied');

    expect(await reload(invoice)).toMatchObject({ status: 'open' });
    expect(await paymentsOf(invoice)).toEqual([]);
    expect(await PaymentProviderEvent.count({ where: { invoiceId: invoice.id, outcome: 'applied' } })).toBe(2);
    const audited = await AuditEvent.findAll({ where: { action: 'invoice.dispute', entityId: invoice.id } });
    expect(audited).toHaveLength(1);
  });

  it('applies one of a manual payment and a webhook for the same invoice at once: the card payment second is all credit, the manual one second is refused', async () => {
    for (const invoice of invoices.slice(5, 8)) {
      const pi = await intentOf(invoice);
      const [manual, webhook] = await Promise.all([
        stack.api
          .post(`/api/v1/invoices/${invoice.id}/payments`)
          .set('Authorization', auth.staff)
          .set('Idempotency-Key', crypto.randomUUID())
          .send({ amount: '8.33', method: 'bank_transfer', reference: 'SEPA race' }),
        deliver(succeeded(invoice, pi)),
      ]);
      expect(webhook.body.outcome).toBe('applied');
      expect(await reload(invoice)).toMatchObject({ status: 'paid' });
      const payments = await paymentsOf(invoice);
      // Money the provider took is kept whatever came first; a manual payment of an invoice already paid is 422.
      const methods = manual.status === 201 ? ['bank_transfer', 'card'] : ['card'];
      expect([manual.status, manual.body.error?.details?.[0]?.rule]).toEqual(
        manual.status === 201 ? [201, undefined] : [422, 'payment_beyond_outstanding'],
      );
      expect(payments.map((p) => p.method).sort()).toEqual(methods);
      expect(payments.reduce((applied, p) => applied + p.amountMinor - p.creditMinor, 0)).toBe(invoice.amountMinor);
    }
  });

  it("applies no signed event about another PaymentIntent than the invoice's own (other_intent), nor its own in another currency (currency_mismatch), logged; its own pays it", async () => {
    const subscription = await buildSubscription({ planId: monthlyPlanId, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
    const api = await loggedApi();
    const signedPost = api.deliver;
    try {
      // Signed, naming the invoice and its tenant in the metadata, for its whole amount: before the
      // holder asked for the invoice's intent, and after, each about an intent Insurflow did not make for it.
      const before = succeeded(invoice, otherIntentId());
      const beforeAnswer = await signedPost(before);
      const own = await intentOf(invoice);
      const after = succeeded(invoice, otherIntentId());
      const refundFirst = refunded(invoice, otherIntentId(), invoice.amountMinor);
      const answers = [beforeAnswer, await signedPost(after), await signedPost(refundFirst)];
      expect(answers.map((answer) => [answer.status, answer.body])).toEqual(
        Array(3).fill([200, { received: true, duplicate: false, outcome: 'other_intent' }]),
      );
      expect(await reload(invoice)).toMatchObject({ status: 'open' });
      expect(await paymentsOf(invoice)).toEqual([]);
      expect(await PremiumRefund.count({ where: { invoiceId: invoice.id } })).toBe(0);
      const eventIds = [before, after, refundFirst].map((body) => JSON.parse(body).id as string);
      expect(await PaymentProviderEvent.count({ where: { eventId: eventIds, outcome: 'other_intent', invoiceId: invoice.id } })).toBe(3);
      expect(api.refusals()).toEqual([
        expect.objectContaining({ level: 40, eventId: eventIds[0], invoiceId: invoice.id, outcome: 'other_intent' }),
        expect.objectContaining({ level: 40, eventId: eventIds[1], invoiceId: invoice.id, outcome: 'other_intent' }),
        expect.objectContaining({ level: 40, eventId: eventIds[2], invoiceId: invoice.id, outcome: 'other_intent' }),
      ]);
      // Its own intent, but in dollars for a euro invoice: answered 200, recorded currency_mismatch, logged alike.
      const inDollars = succeeded(invoice, own, invoice.amountMinor, undefined, 'usd');
      expect((await signedPost(inDollars)).body).toEqual({ received: true, duplicate: false, outcome: 'currency_mismatch' });
      expect(await reload(invoice)).toMatchObject({ status: 'open' });
      expect(api.refusals()[3]).toMatchObject({
        level: 40,
        eventId: JSON.parse(inDollars).id,
        invoiceId: invoice.id,
        outcome: 'currency_mismatch',
      });

      // The development tool, as a newcomer pays locally, names the intent the API answered: applied.
      const payment = {
        invoiceId: invoice.id,
        intentId: own,
        tenantId: invoice.tenantId,
        amountMinor: invoice.amountMinor,
        currency: 'EUR',
      };
      const paid = await simulatePayment({ ...payment, api: api.url, webhookSecret: WEBHOOK_SECRET }, { NODE_ENV: 'development' });
      expect(paid).toEqual({ status: 200, body: { received: true, duplicate: false, outcome: 'applied' } });
      expect(await reload(invoice)).toMatchObject({ status: 'paid' });
      expect((await paymentsOf(invoice)).map((p) => [p.amountMinor, p.providerPaymentId])).toEqual([[invoice.amountMinor, own]]);
    } finally {
      await api.close();
    }
  });

  it("refunds, fails a refund and disputes nothing in another currency than the invoice's: recorded currency_mismatch, answered 200, logged; the invoice, its refund and the books unchanged", async () => {
    const subscription = await buildSubscription({ planId: monthlyPlanId, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
    const pi = await intentOf(invoice);
    await deliver(succeeded(invoice, pi)).expect(200);
    // The tenant's journal entries: a refund or its failure posts some (docs/ledger.md).
    const entries = async () =>
      (
        await stack.db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE tenant_id = :tenantId', {
          replacements: { tenantId: invoice.tenantId },
          type: QueryTypes.SELECT,
        })
      )[0].n;
    const api = await loggedApi();
    try {
      const answered = async (body: string) => {
        const answer = await api.deliver(body);
        return [answer.status, answer.body, JSON.parse(body).id];
      };
      const mismatch = (eventId: string) => [200, { received: true, duplicate: false, outcome: 'currency_mismatch' }, eventId];
      const entriesPaid = await entries();

      // The whole euro payment refunded, in dollars: no refund, the invoice stays paid, the books as they were.
      const inDollars = refunded(invoice, pi, invoice.amountMinor, { currency: 'usd' });
      expect(await answered(inDollars)).toEqual(mismatch(JSON.parse(inDollars).id));
      expect(await reload(invoice)).toMatchObject({ status: 'paid' });
      expect(await PremiumRefund.count({ where: { invoiceId: invoice.id } })).toBe(0);
      expect(await entries()).toBe(entriesPaid);

      // 3.00 refunded in the dashboard, in euros: applied. Its failure reported in dollars fails nothing.
      await deliver(refunded(invoice, pi, 300)).expect(200);
      const [refund] = await PremiumRefund.findAll({ where: { invoiceId: invoice.id } });
      expect(refund).toMatchObject({ amountMinor: 300, status: 'succeeded', providerRefundId: `ch_${pi.slice(3)}` });
      const entriesRefunded = await entries();
      const failure = {
        id: `re_${crypto.randomBytes(8).toString('hex')}`,
        paymentIntentId: pi,
        chargeId: `ch_${pi.slice(3)}`,
        amountMinor: 300,
      };
      const failedInDollars = signedRefundEvent('refund.failed', { ...failure, status: 'failed', currency: 'usd' }, WEBHOOK_SECRET).body;
      expect(await answered(failedInDollars)).toEqual(mismatch(JSON.parse(failedInDollars).id));
      expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({
        status: 'succeeded',
        providerRefundId: `ch_${pi.slice(3)}`,
      });
      expect(await reload(invoice)).toMatchObject({ status: 'partially_refunded' });
      expect(await entries()).toBe(entriesRefunded);
      expect(await AuditEvent.count({ where: { action: 'invoice.refund_refused', entityId: invoice.id } })).toBe(0);

      // A dispute in dollars: no dispute shown to staff.
      const disputeInDollars = disputed(invoice, pi, 'usd');
      expect(await answered(disputeInDollars)).toEqual(mismatch(JSON.parse(disputeInDollars).id));
      expect(await AuditEvent.count({ where: { action: 'invoice.dispute', entityId: invoice.id } })).toBe(0);

      const eventIds = [inDollars, failedInDollars, disputeInDollars].map((body) => JSON.parse(body).id as string);
      expect(await PaymentProviderEvent.count({ where: { eventId: eventIds, outcome: 'currency_mismatch' } })).toBe(3);
      // A refund's event names no invoice of its own (the refund's metadata is empty): the line names its PaymentIntent, as every line does.
      expect(api.refusals().map((line) => [line.level, line.eventId, line.type, line.paymentIntentId, line.outcome])).toEqual([
        [40, eventIds[0], 'charge.refunded', pi, 'currency_mismatch'],
        [40, eventIds[1], 'refund.failed', pi, 'currency_mismatch'],
        [40, eventIds[2], 'charge.dispute.created', pi, 'currency_mismatch'],
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('POST /invoices/:id/payment-intent', () => {
  const ask = (invoiceId: string, who: string, api = stack.api) =>
    api.post(`/api/v1/invoices/${invoiceId}/payment-intent`).set('Authorization', who).send();

  it("gives the holder and staff the invoice's one PaymentIntent and its client secret", async () => {
    const invoice = invoices[8];
    const first = await ask(invoice.id, auth.holder);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ invoiceId: invoice.id, provider: 'stripe', amountMinor: 833, amount: '8.33', currency: 'EUR' });
    expect(first.body.paymentIntentId).toMatch(/^pi_/);
    expect(first.body.clientSecret).toMatch(/_secret_/);
    const again = await ask(invoice.id, auth.staff).expect(200);
    expect(again.body.paymentIntentId).toBe(first.body.paymentIntentId);
    expect(
      stripeMock.requests.filter(
        (r) =>
          r.method === 'POST' && r.path === '/v1/payment_intents' && r.form.get(`metadata[${STRIPE_METADATA.invoiceId}]`) === invoice.id,
      ),
    ).toHaveLength(1);
    expect(await PaymentIntentRecord.count({ where: { invoiceId: invoice.id } })).toBe(1);
  });

  it('has the provider charge what the invoice now owes when its amount changed after its intent was made (a return premium taken off it)', async () => {
    const subscription = await buildSubscription({ planId: monthlyPlanId, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 2 }, rejectOnEmpty: true });
    const first = await ask(invoice.id, auth.holder).expect(200);
    expect(first.body.amountMinor).toBe(833);
    // A policy change's return premium credited against the unpaid instalment (docs/premiums.md, Policy changes).
    await Invoice.update({ amountMinor: 500 }, { where: { id: invoice.id } });
    const again = await ask(invoice.id, auth.holder).expect(200);
    expect(again.body).toMatchObject({ paymentIntentId: first.body.paymentIntentId, amountMinor: 500, amount: '5.00' });
    // The card is charged the intent's amount, not the answer's: the intent was 8.33 for an invoice owing 5.00.
    const updates = stripeMock.requests.filter(
      (r) => r.method === 'POST' && r.path === `/v1/payment_intents/${first.body.paymentIntentId}`,
    );
    expect(updates.map((r) => r.form.get('amount'))).toEqual(['500']);
    expect(Number((await PaymentIntentRecord.findOne({ where: { invoiceId: invoice.id }, rejectOnEmpty: true })).amountMinor)).toBe(500);
    // Asked again at the same amount, nothing more is sent.
    await ask(invoice.id, auth.staff).expect(200);
    expect(
      stripeMock.requests.filter((r) => r.method === 'POST' && r.path === `/v1/payment_intents/${first.body.paymentIntentId}`),
    ).toHaveLength(1);
  });

  it('answers 404 to another holder and another tenant, 409 for a paid invoice, creating nothing', async () => {
    const invoice = invoices[9];
    const before = stripeMock.requests.length;
    expect((await ask(invoice.id, auth.otherHolder)).status).toBe(404);
    expect((await ask(invoice.id, auth.outsider)).status).toBe(404);
    const paid = await ask(invoices[0].id, auth.holder);
    expect([paid.status, paid.body.error.code]).toEqual([409, 'conflict']);
    expect(stripeMock.requests.length).toBe(before);
    expect(await PaymentIntentRecord.count({ where: { invoiceId: invoice.id } })).toBe(0);
    // The paid invoice keeps the one intent its holder asked for before paying, and no other.
    expect(await PaymentIntentRecord.count({ where: { invoiceId: invoices[0].id } })).toBe(1);
  });

  const unavailableCount = async (reason: string) =>
    (await paymentProviderUnavailable.get()).values.find((value) => value.labels.reason === reason)?.value ?? 0;
  const baseOf = (apiBase: string) => {
    const url = new URL(apiBase);
    return { protocol: 'http' as const, host: url.hostname, port: Number(url.port) };
  };

  /** The holder asks through an API whose provider has these settings (the stack's otherwise), its lines logged apart. */
  async function askWithProvider(settings: Partial<StripeSettings>, invoice: Invoice) {
    const log = capturedLogger('api');
    const payments = paymentServices({ stripe: { ...stack.config.stripe!, ...settings } }, log.logger);
    const server: Server = createApp({ ...stack.services, logger: log.logger, payments }).listen(0, '127.0.0.1');
    try {
      const started = Date.now();
      const answer = await ask(invoice.id, auth.holder, supertest.agent(server));
      return { answer, tookMs: Date.now() - started, log };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  const UNAVAILABLE = [503, 'dependency_unavailable', [{ dependency: 'payment_provider', message: 'unavailable or too slow' }]];

  /**
   * The holder asks through a provider with `settings`: the answer is the provider's 503 with a
   * Retry-After within DOWN_ANSWER_WITHIN_MS, no PaymentIntent is recorded, the provider's line
   * (`line`, for `paymentIntents.create`) is logged and one more is counted unavailable for `reason`.
   * Answers the log, for what a test checks besides.
   */
  async function expectUnavailableFast(settings: Partial<StripeSettings>, invoice: Invoice, reason: string, line: object) {
    const before = await unavailableCount(reason);
    const { answer, tookMs, log } = await askWithProvider(settings, invoice);
    expect([answer.status, answer.body.error.code, answer.body.error.details]).toEqual(UNAVAILABLE);
    expect(answer.headers['retry-after']).toBeDefined();
    expect(tookMs).toBeLessThan(DOWN_ANSWER_WITHIN_MS);
    expect(await PaymentIntentRecord.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect(log.lines()).toContainEqual(expect.objectContaining({ ...line, operation: 'paymentIntents.create', reason }));
    expect(await unavailableCount(reason)).toBe(before + 1);
    return log;
  }

  it('answers 503 fast with stripe-mock stopped, recording nothing, logged and counted as unreachable', async () => {
    const doomed = await startStripeMock();
    await doomed.stop();
    await expectUnavailableFast({ apiBase: baseOf(doomed.apiBase) }, invoices[10], 'unreachable', {
      level: 40,
      msg: 'payment provider unavailable',
    });
  });

  it('answers 503 fast when stripe-mock refuses our key, recording nothing, with an error line that never quotes the key', async () => {
    // The key the start command passed before issue 74: stripe-mock answers it 401 (the SDK's StripeAuthenticationError).
    const refusedKey = 'sk_test_insurflow_local';
    // What the alert InsurflowPaymentProviderCredentialsRefused reads (docker/alerts.yml) is the count of credentials_refused.
    const log = await expectUnavailableFast(
      { secretKey: refusedKey, apiBase: baseOf(stripeMock.mock.apiBase) },
      invoices[11],
      'credentials_refused',
      { level: 50, msg: 'payment provider refused our credentials: check STRIPE_SECRET_KEY', statusCode: 401 },
    );
    // The request's own line says what the caller was answered.
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ msg: 'request unavailable', status: 503, errorCode: 'dependency_unavailable' }),
    );
    expect(log.raw()).not.toContain(refusedKey);
  });
});

describe("Amounts at Stripe (docs/premiums.md): Stripe's unit for the currency, and its step", () => {
  /** An unpaid invoice of the holder's in `currency`, of `amountMinor`, and the answer to its holder's card payment. */
  async function cardPaymentIn(currency: string, premium: string, amountMinor: number) {
    const plan = await buildPlan({ tenantId: holder.tenantId!, premium, currency });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({
      where: { subscriptionId: subscription.id },
      order: [['sequence', 'ASC']],
      rejectOnEmpty: true,
    });
    await invoice.update({ amountMinor });
    const answer = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payment-intent`)
      .set('Authorization', auth.holder)
      .send()
      .expect(200);
    const sent = stripeMock.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.form.get(`metadata[${STRIPE_METADATA.invoiceId}]`) === invoice.id,
    );
    return { invoice, answer: answer.body, sentAmounts: sent.map((r) => r.form.get('amount')) };
  }

  const paidEvent = (invoice: Invoice, pi: string, amountReceived: number, currency: string) =>
    eventBody('payment_intent.succeeded', {
      id: pi,
      object: 'payment_intent',
      amount: amountReceived,
      amount_received: amountReceived,
      currency,
      status: 'succeeded',
      metadata: metadataOf(invoice),
    });

  it('makes the intent of a 1,000 ISK invoice for 100000 (Stripe counts ISK in hundredths), and its paid event of 100000 settles it exactly', async () => {
    const { invoice, answer, sentAmounts } = await cardPaymentIn('ISK', '1000', 1000);
    expect(sentAmounts).toEqual(['100000']);
    expect(answer).toMatchObject({ amountMinor: 1000, amount: '1000', currency: 'ISK' });
    expect(Number((await PaymentIntentRecord.findOne({ where: { invoiceId: invoice.id }, rejectOnEmpty: true })).amountMinor)).toBe(1000);

    const delivered = await deliver(paidEvent(invoice, answer.paymentIntentId, 100_000, 'isk'));
    expect(delivered.body).toEqual({ received: true, duplicate: false, outcome: 'applied' });
    expect(await reload(invoice)).toMatchObject({ status: 'paid' });
    expect((await paymentsOf(invoice)).map((p) => [p.amountMinor, p.creditMinor, p.currency])).toEqual([[1000, 0, 'ISK']]);

    // Refunded in full in the dashboard: Stripe reports 100000 refunded, which is the 1,000 ISK paid.
    const refundedAll = refunded(invoice, answer.paymentIntentId, 100_000, { amount: 100_000, currency: 'isk' });
    expect((await deliver(refundedAll)).body.outcome).toBe('applied');
    expect(await reload(invoice)).toMatchObject({ status: 'refunded' });
    expect((await PremiumRefund.findAll({ where: { invoiceId: invoice.id } })).map((r) => [r.amountMinor, r.status])).toEqual([
      [1000, 'succeeded'],
    ]);
  });

  it("applies no payment in another currency than the invoice's: EUR for a USD invoice recorded as currency_mismatch, answered 200, the invoice open", async () => {
    const { invoice, answer } = await cardPaymentIn('USD', '100.00', 10_000);
    const body = paidEvent(invoice, answer.paymentIntentId, 10_000, 'eur');
    const delivered = await deliver(body);
    expect([delivered.status, delivered.body]).toEqual([200, { received: true, duplicate: false, outcome: 'currency_mismatch' }]);
    expect(await reload(invoice)).toMatchObject({ status: 'open' });
    expect(await paymentsOf(invoice)).toEqual([]);
    expect(await PaymentProviderEvent.findOne({ where: { eventId: JSON.parse(body).id }, rejectOnEmpty: true })).toMatchObject({
      invoiceId: invoice.id,
      outcome: 'currency_mismatch',
    });
  });

  it('fails a 1,000 ISK dashboard refund whose failure Stripe reported first, in its hundredths (100000), once the refund is recorded', async () => {
    const { invoice, answer } = await cardPaymentIn('ISK', '1000', 1000);
    const pi: string = answer.paymentIntentId;
    const charge = `ch_${pi.slice(3)}`;
    await deliver(paidEvent(invoice, pi, 100_000, 'isk')).expect(200);
    const failure = signedRefundEvent(
      'refund.failed',
      {
        id: `re_${crypto.randomBytes(8).toString('hex')}`,
        paymentIntentId: pi,
        chargeId: charge,
        amountMinor: 100_000,
        status: 'failed',
        currency: 'isk',
      },
      WEBHOOK_SECRET,
    ).body;
    expect((await deliver(failure)).body).toMatchObject({ duplicate: false, outcome: 'no_invoice' });
    const refundedAll = refunded(invoice, pi, 100_000, { amount: 100_000, currency: 'isk' });
    expect((await deliver(refundedAll)).body.outcome).toBe('applied');
    expect(
      (await PremiumRefund.findAll({ where: { invoiceId: invoice.id } })).map((r) => [r.amountMinor, r.status, r.providerRefundId]),
    ).toEqual([[1000, 'failed', JSON.parse(failure).data.object.id]]);
    expect(await PaymentProviderEvent.findOne({ where: { eventId: JSON.parse(failure).id }, rejectOnEmpty: true })).toMatchObject({
      outcome: 'applied',
    });
  });

  it('charges a KWD instalment of 1000.087 as 1000.090 (Stripe takes tens of fils): paid, 0.003 kept as credit', async () => {
    const { invoice, answer, sentAmounts } = await cardPaymentIn('KWD', '1000.087', 1_000_087);
    expect(sentAmounts).toEqual(['1000090']);
    expect(answer).toMatchObject({ amountMinor: 1_000_090, amount: '1000.090', currency: 'KWD' });

    await deliver(paidEvent(invoice, answer.paymentIntentId, 1_000_090, 'kwd')).expect(200);
    expect(await reload(invoice)).toMatchObject({ status: 'paid' });
    expect((await paymentsOf(invoice)).map((p) => [p.amountMinor, p.creditMinor])).toEqual([[1_000_090, 3]]);
  });
});
