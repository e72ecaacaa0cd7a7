/**
 * The payment provider frozen: the file's own stripe-mock stopped with SIGSTOP behind the recording
 * proxy, so connections are taken and nothing answers. Asking for an invoice's PaymentIntent
 * answers 503 payment_provider within the call's one deadline (STRIPE_TIMEOUT_MS, retries included),
 * records nothing, and after SIGCONT the repeat with the same Idempotency-Key makes the one intent,
 * every attempt sent to Stripe under the invoice's one idempotency key. A repeat that reaches Stripe
 * while the abandoned attempt still runs there is answered 409 idempotency_key_in_use: an outage to
 * wait out (503, a refund activity retried), not a refusal (a refund recorded as refused).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { Invoice, PaymentIntentRecord, type User } from '../../src/models';
import { createStripeProvider, PaymentProviderUnavailable } from '../../src/services/payment-provider';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { startRecordedStripeMock, stripeEnv, type RecordedStripeMock } from '../support/stripe-mock';

/** The default deadline of one call to Stripe, retries included: the answer must not wait for more. */
const STRIPE_DEADLINE_MS = 5_000;
/** The deadline, and room for a loaded machine; the old per-attempt deadline with its retry answered after 10.5 s. */
const FROZEN_ANSWER_WITHIN_MS = STRIPE_DEADLINE_MS + 1_500;

describe('the payment provider frozen: connections taken, nothing answering', () => {
  let stripeMock: RecordedStripeMock;
  let stack: TestStack;
  let holder: User;
  let invoice: Invoice;

  beforeAll(async () => {
    stripeMock = await startRecordedStripeMock();
    stack = await startTestStack({ env: stripeEnv(stripeMock.apiBase, `whsec_${crypto.randomBytes(24).toString('hex')}`) });
    const tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    invoice = (await Invoice.findOne({ where: { subscriptionId: subscription.id, status: 'open' }, order: [['sequence', 'ASC']] }))!;
  });

  afterAll(async () => {
    if (stripeMock) process.kill(stripeMock.mock.pid, 'SIGCONT');
    await stack?.close();
    await stripeMock?.close();
  });

  afterEach(() => process.kill(stripeMock.mock.pid, 'SIGCONT'));

  const askToPay = () =>
    stack.api
      .post(`/api/v1/invoices/${invoice.id}/payment-intent`)
      .set('Authorization', bearer(stack.config, holder))
      .set('Idempotency-Key', 'pay-while-stripe-is-frozen')
      .send();

  it('answers 503 payment_provider within the one deadline, recording nothing; after SIGCONT the repeat makes the one intent under the same Stripe key', async () => {
    expect(stack.config.stripe).toMatchObject({ timeoutMs: STRIPE_DEADLINE_MS, maxNetworkRetries: 1 });
    process.kill(stripeMock.mock.pid, 'SIGSTOP');

    const started = performance.now();
    const refused = await askToPay();
    const ms = performance.now() - started;
    expect([refused.status, refused.body.error?.code, refused.body.error?.details]).toEqual([
      503,
      'dependency_unavailable',
      [{ dependency: 'payment_provider', message: 'unavailable or too slow' }],
    ]);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(Math.round(ms)).toBeLessThan(FROZEN_ANSWER_WITHIN_MS);
    expect(await PaymentIntentRecord.count({ where: { invoiceId: invoice.id } })).toBe(0);

    process.kill(stripeMock.mock.pid, 'SIGCONT');
    const paid = await askToPay().expect(200);
    expect(paid.body.paymentIntentId).toMatch(/^pi_/);
    await askToPay().expect(200);
    const kept = await PaymentIntentRecord.findAll({ where: { invoiceId: invoice.id } });
    expect(kept.map((row) => row.providerIntentId)).toEqual([paid.body.paymentIntentId]);
    const creations = stripeMock.requests.filter((request) => request.method === 'POST' && request.path === '/v1/payment_intents');
    // The frozen attempt (and any retry of it), then the repeat's: one key, so Stripe makes one intent.
    expect(creations.length).toBeGreaterThanOrEqual(2);
    expect(new Set(creations.map((request) => request.headers['idempotency-key']))).toEqual(
      new Set([`insurflow-invoice-${invoice.id}-payment-intent`]),
    );
  });

  it("takes Stripe's 409 for a key still in use by an abandoned attempt as an outage (503, a refund retried), not as a refusal", async () => {
    // Stripe's answer while a request with the same idempotency key is still running there; the SDK makes any 409 its API error.
    const inUse = JSON.stringify({
      error: {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: 'There is currently another in-progress request using this Idempotency Key.',
      },
    });
    const busy = http.createServer((_req, res) => res.writeHead(409, { 'Content-Type': 'application/json' }).end(inUse));
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const provider = createStripeProvider(
        { ...stack.config.stripe!, maxNetworkRetries: 0, apiBase: { protocol: 'http', host: '127.0.0.1', port } },
        stack.services.logger,
      );
      const asked = await provider
        .createPaymentIntent({
          invoiceId: invoice.id,
          tenantId: invoice.tenantId,
          amountMinor: invoice.amountMinor,
          currency: invoice.currency,
        })
        .catch((err: unknown) => err);
      const refunded = await provider
        .createRefund({ paymentIntentId: 'pi_in_use', amountMinor: 100, currency: 'EUR', idempotencyKey: 'insurflow-refund-in-use' })
        .catch((err: unknown) => err);
      expect([asked, refunded].map((err) => [(err as Error).name, (err as PaymentProviderUnavailable).reason])).toEqual([
        ['PaymentProviderUnavailable', 'provider_error'],
        ['PaymentProviderUnavailable', 'provider_error'],
      ]);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
