/**
 * The payment provider against a real stripe-mock (docs/premiums.md, Payment provider): what the
 * SDK sends for an invoice's PaymentIntent and a refund, a stopped provider answering fast, and
 * Stripe-signed webhooks (signed here with the SDK's test-header helper, since stripe-mock sends
 * none): stored once, replays deduplicated, anything unsigned, tampered or oversized refused.
 */
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import Stripe from 'stripe';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { toApiError } from '../../src/api/http/middleware/error-handler';
import { STRIPE_WEBHOOK_BODY_LIMIT_BYTES } from '../../src/api/payment-provider/routes';
import { loadConfig } from '../../src/config';
import {
  paymentIntentForInvoice,
  paymentServices,
  type InvoiceRef,
  type MatchedPaymentEvent,
} from '../../src/domain/premiums/card-payments';
import { PaymentIntentRecord, PaymentProviderEvent } from '../../src/models';
import {
  createStripeProvider,
  PaymentProviderRefusal,
  PaymentProviderUnavailable,
  STRIPE_METADATA,
  type PaymentProvider,
} from '../../src/services/payment-provider';
import { STRIPE_MOCK_SECRET_KEY, startStripeMock } from '../../scripts/local/stripe-mock-server';
import { simulatePayment, SimulationRefused } from '../../scripts/simulate-payment';
import { buildTenant } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { startRecordedStripeMock, stripeEnv, type RecordedStripeMock } from '../support/stripe-mock';

const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(24).toString('hex')}`;
const WEBHOOK = '/api/v1/payments/webhooks/stripe';
/** A stopped provider answered in about 0.5 s on a loaded 2-core machine (one retry after a refused connection); twice that and more. */
const DOWN_ANSWER_WITHIN_MS = 2000;

const signer = new Stripe('sk_test_signer');
const sign = (payload: string, secret = WEBHOOK_SECRET, timestamp?: number) =>
  signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });

function eventBody(type: string, object: Record<string, unknown>, id = `evt_${crypto.randomBytes(12).toString('hex')}`): string {
  return JSON.stringify({ id, object: 'event', api_version: '2026-08-26.dahlia', created: 1_795_000_000, type, data: { object } });
}

function succeededIntent(
  invoiceId: string,
  tenantId: string,
  amount = 12_345,
  intentId = `pi_${crypto.randomBytes(8).toString('hex')}`,
): Record<string, unknown> {
  return {
    id: intentId,
    object: 'payment_intent',
    amount,
    amount_received: amount,
    currency: 'eur',
    status: 'succeeded',
    metadata: { [STRIPE_METADATA.invoiceId]: invoiceId, [STRIPE_METADATA.tenantId]: tenantId },
  };
}

const post = (api: ReturnType<typeof supertest.agent>, body: string | Buffer, signature?: string) => {
  const request = api.post(WEBHOOK).set('Content-Type', 'application/json');
  return (signature === undefined ? request : request.set('Stripe-Signature', signature)).send(body);
};

let stripeMock: RecordedStripeMock;
let stack: TestStack;
let provider: PaymentProvider;

beforeAll(async () => {
  stripeMock = await startRecordedStripeMock();
  stack = await startTestStack({ env: stripeEnv(stripeMock.apiBase, WEBHOOK_SECRET) });
  provider = stack.services.payments!.provider;
});

afterAll(async () => {
  await stack?.close();
  await stripeMock?.close();
});

beforeEach(() => {
  stripeMock.requests.length = 0;
});

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgres://insurflow@127.0.0.1/insurflow', JWT_SECRET: crypto.randomBytes(36).toString('base64') };

  it('takes no payments unless both the secret key and the webhook secret are set, and reads stripe-mock as a base URL', () => {
    expect(loadConfig(base).stripe).toBeUndefined();
    expect(() => loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ ...base, ...stripeEnv('http://127.0.0.1:12111/v1', WEBHOOK_SECRET) })).toThrow(/STRIPE_API_BASE/);
    expect(loadConfig({ ...base, ...stripeEnv('http://127.0.0.1:12111', WEBHOOK_SECRET) }).stripe).toEqual({
      secretKey: STRIPE_MOCK_SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      apiBase: { protocol: 'http', host: '127.0.0.1', port: 12111 },
      timeoutMs: 5000,
      maxNetworkRetries: 1,
    });
  });
});

describe('PaymentIntents and refunds at stripe-mock', () => {
  it("creates an invoice's PaymentIntent once, with its amount, currency, metadata and the invoice's idempotency key", async () => {
    const tenant = await buildTenant();
    const invoiceId = crypto.randomUUID();
    const request = { invoiceId, tenantId: tenant.id, amountMinor: 12_345, currency: 'EUR', customerEmail: 'holder@example.com' };

    const first = await paymentIntentForInvoice(request, { sequelize: stack.db.sequelize, provider });
    const again = await paymentIntentForInvoice(request, { sequelize: stack.db.sequelize, provider });

    expect(first.id).toMatch(/^pi_/);
    expect(first.clientSecret).toMatch(/_secret_/);
    expect(again.id).toBe(first.id);
    const creates = stripeMock.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(creates).toHaveLength(1);
    const [sent] = creates;
    expect(sent.form.get('amount')).toBe('12345');
    expect(sent.form.get('currency')).toBe('eur');
    expect(sent.form.get(`metadata[${STRIPE_METADATA.invoiceId}]`)).toBe(invoiceId);
    expect(sent.form.get(`metadata[${STRIPE_METADATA.tenantId}]`)).toBe(tenant.id);
    expect(sent.form.get('receipt_email')).toBe('holder@example.com');
    expect(sent.headers['idempotency-key']).toBe(`insurflow-invoice-${invoiceId}-payment-intent`);
    expect(sent.headers['stripe-version']).toBe('2026-08-26.dahlia');
    // The second ask reads the kept intent back (for its client secret) instead of creating one.
    expect(stripeMock.requests.filter((r) => r.method === 'GET' && r.path === `/v1/payment_intents/${first.id}`)).toHaveLength(1);
    const kept = await PaymentIntentRecord.findAll({ where: { invoiceId } });
    expect(kept.map((row) => [row.providerIntentId, Number(row.amountMinor), row.currency])).toEqual([[first.id, 12_345, 'EUR']]);
  });

  it('sends concurrent creations for one invoice under one idempotency key, and keeps one intent', async () => {
    const tenant = await buildTenant();
    const invoiceId = crypto.randomUUID();
    const request = { invoiceId, tenantId: tenant.id, amountMinor: 5_000, currency: 'usd' };
    const intents = await Promise.all([1, 2, 3].map(() => paymentIntentForInvoice(request, { sequelize: stack.db.sequelize, provider })));
    const keys = stripeMock.requests.filter((r) => r.path === '/v1/payment_intents').map((r) => r.headers['idempotency-key']);
    expect(new Set(keys)).toEqual(new Set([`insurflow-invoice-${invoiceId}-payment-intent`]));
    expect(new Set(intents.map((intent) => intent.id)).size).toBe(1);
    expect(await PaymentIntentRecord.count({ where: { invoiceId } })).toBe(1);
  });

  it("takes the one local key the start command and the tests pass; the start command's old key is refused as our credentials", async () => {
    const url = new URL(stripeMock.mock.apiBase);
    const withKey = (secretKey: string) =>
      createStripeProvider(
        {
          secretKey,
          webhookSecret: WEBHOOK_SECRET,
          timeoutMs: 5000,
          maxNetworkRetries: 1,
          apiBase: { protocol: 'http', host: url.hostname, port: Number(url.port) },
        },
        stack.services.logger,
      );
    const request = { invoiceId: crypto.randomUUID(), tenantId: crypto.randomUUID(), amountMinor: 100, currency: 'EUR' };
    await expect(withKey(STRIPE_MOCK_SECRET_KEY).createPaymentIntent(request)).resolves.toMatchObject({
      id: expect.stringMatching(/^pi_/),
    });
    // What scripts/start.ts passed before issue 74: four parts split on `_`, which stripe-mock answers 401.
    await expect(withKey('sk_test_insurflow_local').createPaymentIntent(request)).rejects.toMatchObject({
      name: 'PaymentProviderUnavailable',
      reason: 'credentials_refused',
    });
  });

  it("refunds part of a PaymentIntent under the caller's idempotency key", async () => {
    const refund = await provider.createRefund({
      paymentIntentId: 'pi_paid',
      amountMinor: 2_500,
      currency: 'EUR',
      idempotencyKey: 'cancellation-42-refund',
    });
    expect(refund.id).toMatch(/^re_/);
    const [sent] = stripeMock.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(Object.fromEntries(sent.form)).toEqual({ amount: '2500', payment_intent: 'pi_paid' });
    expect(sent.headers['idempotency-key']).toBe('cancellation-42-refund');
  });

  it("sends a refund in Stripe's amount: 750 ISK as 75000; a KWD amount not in tens of fils is refused, nothing sent", async () => {
    await provider.createRefund({ paymentIntentId: 'pi_isk', amountMinor: 750, currency: 'ISK', idempotencyKey: 'refund-isk' });
    const refunds = () => stripeMock.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(
      refunds()
        .filter((r) => r.form.get('payment_intent') === 'pi_isk')
        .map((r) => r.form.get('amount')),
    ).toEqual(['75000']);
    const before = refunds().length;
    const refused = await provider
      .createRefund({ paymentIntentId: 'pi_kwd', amountMinor: 1_000_087, currency: 'KWD', idempotencyKey: 'refund-kwd' })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PaymentProviderRefusal);
    expect((refused as Error).message).toBe('Stripe takes KWD only in steps of 10 minor units: 1000087 is not one');
    expect(refunds()).toHaveLength(before);
  });

  it('answers 503 fast when stripe-mock is stopped, and keeps no PaymentIntent', async () => {
    const doomed = await startStripeMock();
    const settings = { secretKey: 'sk_test_down', webhookSecret: WEBHOOK_SECRET, timeoutMs: 5000, maxNetworkRetries: 1 };
    const url = new URL(doomed.apiBase);
    const down = createStripeProvider(
      { ...settings, apiBase: { protocol: 'http', host: url.hostname, port: Number(url.port) } },
      stack.services.logger,
    );
    await doomed.stop();
    const tenant = await buildTenant();
    const invoiceId = crypto.randomUUID();

    const started = Date.now();
    const failure = await paymentIntentForInvoice(
      { invoiceId, tenantId: tenant.id, amountMinor: 100, currency: 'eur' },
      { sequelize: stack.db.sequelize, provider: down },
    ).catch((err: unknown) => err);
    const tookMs = Date.now() - started;

    expect(failure).toBeInstanceOf(PaymentProviderUnavailable);
    expect(tookMs).toBeLessThan(DOWN_ANSWER_WITHIN_MS);
    const answer = toApiError(failure);
    expect([answer?.status, answer?.code, answer?.details]).toEqual([
      503,
      'dependency_unavailable',
      [{ dependency: 'payment_provider', message: 'unavailable or too slow' }],
    ]);
    expect(await PaymentIntentRecord.count({ where: { invoiceId } })).toBe(0);
    const refundFailure = await down
      .createRefund({ chargeId: 'ch_1', amountMinor: 1, currency: 'EUR', idempotencyKey: 'k' })
      .catch((err: unknown) => err);
    expect(refundFailure).toBeInstanceOf(PaymentProviderUnavailable);
  });
});

describe('POST /payments/webhooks/stripe', () => {
  it('stores a signed payment_intent.succeeded once, with the invoice and tenant it names; a replay changes nothing', async () => {
    const tenant = await buildTenant();
    const invoiceId = crypto.randomUUID();
    const intent = succeededIntent(invoiceId, tenant.id);
    const body = eventBody('payment_intent.succeeded', intent);

    const first = await post(stack.api, body, sign(body));
    expect(first.status).toBe(200);
    // No such invoice: the event is stored with the ids its metadata named, and ignored.
    expect(first.body).toEqual({ received: true, duplicate: false, outcome: 'unknown_invoice' });

    const replay = await post(stack.api, body, sign(body));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true, duplicate: true, outcome: 'unknown_invoice' });

    const rows = await PaymentProviderEvent.findAll({ where: { eventId: JSON.parse(body).id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider: 'stripe',
      type: 'payment_intent.succeeded',
      objectId: intent.id,
      invoiceId,
      tenantId: tenant.id,
      outcome: 'unknown_invoice',
    });
    expect(rows[0].processedAt).toBeInstanceOf(Date);
    expect(rows[0].payload).toEqual(JSON.parse(body));
  });

  it('refuses a missing, wrong or stale signature and a tampered body with 400, recording nothing', async () => {
    const body = eventBody('payment_intent.succeeded', succeededIntent(crypto.randomUUID(), crypto.randomUUID()));
    const eventId = JSON.parse(body).id as string;
    const tampered = body.replace('"amount_received":12345', '"amount_received":99999999');
    expect(tampered).not.toBe(body);
    const answers = [
      await post(stack.api, body),
      await post(stack.api, body, 'garbage'),
      await post(stack.api, body, sign(body, `whsec_${crypto.randomBytes(24).toString('hex')}`)),
      await post(stack.api, body, sign(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600)),
      await post(stack.api, tampered, sign(body)),
    ];
    expect(answers.map((answer) => [answer.status, answer.body.error?.code])).toEqual(Array(5).fill([400, 'bad_request']));
    expect(await PaymentProviderEvent.count({ where: { eventId } })).toBe(0);
  });

  it('refuses a signed body that is not a Stripe event with 400, and a body over the limit with 413', async () => {
    const before = await PaymentProviderEvent.count();
    const notAnEvent = JSON.stringify({ hello: 'world' });
    const refused = await post(stack.api, notAnEvent, sign(notAnEvent));
    expect([refused.status, refused.body.error.code]).toEqual([400, 'bad_request']);

    const padding = 'x'.repeat(STRIPE_WEBHOOK_BODY_LIMIT_BYTES);
    const huge = eventBody('payment_intent.succeeded', {
      ...succeededIntent(crypto.randomUUID(), crypto.randomUUID()),
      description: padding,
    });
    const tooLarge = await post(stack.api, huge, sign(huge));
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([413, 'payload_too_large']);
    expect(await PaymentProviderEvent.count()).toBe(before);
  });

  it('records and ignores events of other types', async () => {
    const body = eventBody('customer.created', { id: 'cus_1', object: 'customer' });
    const answer = await post(stack.api, body, sign(body));
    expect(answer.body).toEqual({ received: true, duplicate: false, outcome: 'ignored_type' });
  });

  describe('with an invoice model wired to the dispatcher', () => {
    const invoices = new Map<string, InvoiceRef>();
    const applied: MatchedPaymentEvent[] = [];
    let failNext = false;
    let server: Server;
    let api: ReturnType<typeof supertest.agent>;

    beforeAll(() => {
      const onEvent = async (matched: MatchedPaymentEvent) => {
        if (failNext) {
          failNext = false;
          throw new Error('the invoice model failed');
        }
        applied.push(matched);
      };
      const payments = paymentServices(stack.config, stack.services.logger, {
        findInvoice: async (id) => invoices.get(id),
        onPaymentSucceeded: onEvent,
        onPaymentFailed: onEvent,
        onRefunded: onEvent,
        onDisputed: onEvent,
      });
      server = createApp({ ...stack.services, payments }).listen(0, '127.0.0.1');
      api = supertest.agent(server);
    });

    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it("applies each handled type to its invoice once; an unknown invoice, another tenant's or another intent's is recorded and ignored", async () => {
      const [tenant, other] = [await buildTenant(), await buildTenant()];
      const invoice = { id: crypto.randomUUID(), tenantId: tenant.id, paymentIntentId: 'pi_1' };
      invoices.set(invoice.id, invoice);
      const metadata = { [STRIPE_METADATA.invoiceId]: invoice.id, [STRIPE_METADATA.tenantId]: tenant.id };
      const charge = { id: 'ch_1', object: 'charge', amount_refunded: 500, currency: 'eur', payment_intent: 'pi_1', metadata };
      const bodies = [
        eventBody('payment_intent.succeeded', succeededIntent(invoice.id, tenant.id, 12_345, 'pi_1')),
        eventBody('payment_intent.payment_failed', {
          ...succeededIntent(invoice.id, tenant.id, 12_345, 'pi_1'),
          status: 'requires_payment_method',
        }),
        eventBody('charge.refunded', charge),
        eventBody('charge.dispute.created', {
          id: 'dp_1',
          object: 'dispute',
          amount: 700,
          currency: 'eur',
          charge: 'ch_1',
          payment_intent: 'pi_1',
          metadata,
        }),
        eventBody('payment_intent.succeeded', succeededIntent(crypto.randomUUID(), tenant.id)),
        eventBody('payment_intent.succeeded', succeededIntent(invoice.id, other.id)),
        eventBody('payment_intent.succeeded', succeededIntent('not-an-invoice', tenant.id)),
        eventBody('payment_intent.succeeded', succeededIntent(invoice.id, tenant.id)),
        eventBody('charge.refunded', { ...charge, id: 'ch_2', payment_intent: 'pi_2' }),
      ];
      const outcomes = [];
      for (const body of bodies) outcomes.push((await post(api, body, sign(body))).body.outcome);
      const replayed = await post(api, bodies[0], sign(bodies[0]));

      expect(outcomes).toEqual([
        'applied',
        'applied',
        'applied',
        'applied',
        'unknown_invoice',
        'other_tenant',
        'no_invoice',
        'other_intent',
        'other_intent',
      ]);
      expect(replayed.body).toEqual({ received: true, duplicate: true, outcome: 'applied' });
      expect(applied.map((m) => [m.event.type, m.invoice.id, m.event.amountMinor])).toEqual([
        ['payment_intent.succeeded', invoice.id, 12_345],
        ['payment_intent.payment_failed', invoice.id, 12_345],
        ['charge.refunded', invoice.id, 500],
        ['charge.dispute.created', invoice.id, 700],
      ]);
      expect(applied[2].event.paymentIntentId).toBe('pi_1');
    });

    it('records nothing when the invoice model fails, so the redelivered event is applied then', async () => {
      const tenant = await buildTenant();
      const invoice = { id: crypto.randomUUID(), tenantId: tenant.id, paymentIntentId: 'pi_3' };
      invoices.set(invoice.id, invoice);
      const body = eventBody('payment_intent.succeeded', succeededIntent(invoice.id, tenant.id, 12_345, 'pi_3'));
      const eventId = JSON.parse(body).id as string;
      failNext = true;
      const failed = await post(api, body, sign(body));
      expect(failed.status).toBe(500);
      expect(await PaymentProviderEvent.count({ where: { eventId } })).toBe(0);

      const redelivered = await post(api, body, sign(body));
      expect(redelivered.body).toEqual({ received: true, duplicate: false, outcome: 'applied' });
      expect(await PaymentProviderEvent.count({ where: { eventId } })).toBe(1);
    });
  });

  it('answers 404 where no payment provider is configured', async () => {
    const server = createApp({ ...stack.services, payments: undefined }).listen(0, '127.0.0.1');
    try {
      const body = eventBody('payment_intent.succeeded', succeededIntent(crypto.randomUUID(), crypto.randomUUID()));
      const answer = await post(supertest.agent(server), body, sign(body));
      expect(answer.status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('simulate-payment (development only)', () => {
  let server: Server;
  let api: string;

  beforeAll(async () => {
    server = createApp(stack.services).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("posts a payment_intent.succeeded the webhook accepts, signed with the local secret, naming the invoice's tenant and its PaymentIntent", async () => {
    const tenant = await buildTenant();
    const invoiceId = crypto.randomUUID();
    const payment = {
      invoiceId,
      intentId: 'pi_simulated',
      tenantId: tenant.id,
      amountMinor: 4_200,
      currency: 'EUR',
      api,
      webhookSecret: WEBHOOK_SECRET,
    };
    const answer = await simulatePayment(payment, { NODE_ENV: 'development' });
    expect(answer).toEqual({ status: 200, body: { received: true, duplicate: false, outcome: 'unknown_invoice' } });
    const [row] = await PaymentProviderEvent.findAll({ where: { invoiceId } });
    expect(row).toMatchObject({ type: 'payment_intent.succeeded', tenantId: tenant.id, objectId: 'pi_simulated' });
  });

  it('refuses to run with NODE_ENV=production, posting nothing', async () => {
    const invoiceId = crypto.randomUUID();
    const payment = {
      invoiceId,
      intentId: 'pi_simulated',
      tenantId: crypto.randomUUID(),
      amountMinor: 1,
      currency: 'EUR',
      api,
      webhookSecret: WEBHOOK_SECRET,
    };
    await expect(simulatePayment(payment, { NODE_ENV: 'production' })).rejects.toThrow(SimulationRefused);
    expect(await PaymentProviderEvent.count({ where: { invoiceId } })).toBe(0);
  });
});
