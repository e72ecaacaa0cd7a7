/**
 * stripe-mock for the payment tests, behind a recording HTTP proxy: stripe-mock keeps no state and
 * echoes little of what it was sent (no metadata), so the tests read what the SDK really sent
 * (path, headers, form body) from the proxy, and what Stripe's API answered from stripe-mock.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_MOCK_SECRET_KEY, startStripeMock, type StripeMockServer } from '../../scripts/local/stripe-mock-server';
import { PaymentIntentRecord, type Invoice } from '../../src/models';
import { STRIPE_METADATA } from '../../src/services/payment-provider';
import { startTestStack, type TestStack } from './stack';

export interface RecordedStripeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The form-encoded body as sent (`amount=1234&metadata[insurflow_invoice_id]=…`), decoded into pairs. */
  form: URLSearchParams;
}

export interface RecordedStripeMock {
  /** The proxy's base URL, what STRIPE_API_BASE takes. */
  apiBase: string;
  mock: StripeMockServer;
  requests: RecordedStripeRequest[];
  /**
   * `forward` to stripe-mock; `down`: drop the connection unrecorded, as an unreachable Stripe;
   * `refuse`: answer Stripe's 400 `invalid_request_error`, which stripe-mock never does; `hold`: forward,
   * and keep stripe-mock's answer in `held` until released, as a Stripe that acted and whose answer is slow.
   */
  mode: 'forward' | 'down' | 'refuse' | 'hold';
  held: Array<{ body: string; release(): void }>;
  close(): Promise<void>;
}

/** Stripe's answer to a refund beyond what the charge has left, as its API documents the error body. */
const REFUSAL = JSON.stringify({
  error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'Charge ch_refused has already been refunded.' },
});

export async function startRecordedStripeMock(): Promise<RecordedStripeMock> {
  const mock = await startStripeMock();
  const requests: RecordedStripeRequest[] = [];
  const recorder: RecordedStripeMock = {
    apiBase: '',
    mock,
    requests,
    mode: 'forward',
    held: [],
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await mock.stop();
    },
  };
  const server = http.createServer((req, res) => {
    if (recorder.mode === 'down') return req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, form: new URLSearchParams(body.toString()) });
      if (recorder.mode === 'refuse') return res.writeHead(400, { 'Content-Type': 'application/json' }).end(REFUSAL);
      const hold = recorder.mode === 'hold';
      const upstream = http.request(`${mock.apiBase}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        if (!hold) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          return answer.pipe(res);
        }
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const answered = Buffer.concat(parts);
          const release = () => void (res.headersSent || res.writeHead(answer.statusCode ?? 502, answer.headers).end(answered));
          recorder.held.push({ body: answered.toString(), release });
        });
      });
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  recorder.apiBase = `http://127.0.0.1:${port}`;
  return recorder;
}

/**
 * The environment that points an API at this stripe-mock with a webhook secret of the test's own,
 * and the secret key the start command passes (one source: a key only tests use could hide a
 * start command's key stripe-mock refuses).
 */
export function stripeEnv(apiBase: string, webhookSecret: string): Record<string, string> {
  return { STRIPE_SECRET_KEY: STRIPE_MOCK_SECRET_KEY, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_BASE: apiBase };
}

/** A test stack (API and worker) whose payment provider is the recorded stripe-mock, with a webhook secret of its own. */
export interface StripeStack {
  stack: TestStack;
  stripeMock: RecordedStripeMock;
  webhookSecret: string;
  close(): Promise<void>;
}

/** Starts the recorded stripe-mock, then a stack with a worker pointed at it; `close` stops both. */
export async function startStripeStack(): Promise<StripeStack> {
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
  const stripeMock = await startRecordedStripeMock();
  const stack = await startTestStack({ worker: true, env: stripeEnv(stripeMock.apiBase, webhookSecret) });
  return {
    stack,
    stripeMock,
    webhookSecret,
    async close() {
      await stack.close();
      await stripeMock.close();
    },
  };
}

/** The refunds the SDK sent under `idempotencyKey` (ours name what they refund: `insurflow-refund-<id>`…), retries included. */
export function refundsSentUnder(stripeMock: RecordedStripeMock, idempotencyKey: string): RecordedStripeRequest[] {
  return stripeMock.requests.filter((request) => request.path === '/v1/refunds' && request.headers['idempotency-key'] === idempotencyKey);
}

/**
 * Keeps `paymentIntentId` as the invoice's one PaymentIntent (payment_intents), as
 * paymentIntentForInvoice does when its holder asks to pay by card: Stripe's events about the
 * invoice apply for that intent only. For tests that record the card payment themselves.
 */
export async function keepPaymentIntent(
  invoice: Pick<Invoice, 'id' | 'tenantId' | 'amountMinor' | 'currency'>,
  paymentIntentId: string,
): Promise<void> {
  await PaymentIntentRecord.create({
    tenantId: invoice.tenantId,
    invoiceId: invoice.id,
    provider: 'stripe',
    providerIntentId: paymentIntentId,
    amountMinor: invoice.amountMinor,
    currency: invoice.currency,
  });
}

/** A Stripe event of `type` about `object`, signed with the test's webhook secret as Stripe signs its events. */
function signedEvent(type: string, object: object, webhookSecret: string): { body: string; signature: string } {
  const body = JSON.stringify({
    id: `evt_${crypto.randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2026-08-26.dahlia',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });
  return { body, signature: new Stripe('sk_test_signer').webhooks.generateTestHeaderString({ payload: body, secret: webhookSecret }) };
}

/**
 * Stripe's `payment_intent.succeeded` for the card payment of `invoice` (its PaymentIntent),
 * `amountMinor` received in the invoice's currency, signed with the test's webhook secret as Stripe signs its events.
 */
export function signedPaymentSucceeded(
  invoice: Pick<Invoice, 'id' | 'tenantId' | 'currency'>,
  intent: { paymentIntentId: string; amountMinor: number },
  webhookSecret: string,
): { body: string; signature: string } {
  return signedEvent(
    'payment_intent.succeeded',
    {
      id: intent.paymentIntentId,
      object: 'payment_intent',
      amount: intent.amountMinor,
      amount_received: intent.amountMinor,
      currency: invoice.currency.toLowerCase(),
      status: 'succeeded',
      metadata: { [STRIPE_METADATA.invoiceId]: invoice.id, [STRIPE_METADATA.tenantId]: invoice.tenantId },
    },
    webhookSecret,
  );
}

/**
 * Stripe's `charge.refunded` for a card payment of `invoice` (its PaymentIntent), `refundedMinor`
 * refunded in all, signed with the test's webhook secret as Stripe signs its events. Its amounts are
 * as Stripe counts `currency` (eur unless named: cents; 100000 for 1,000 ISK).
 */
export function signedChargeRefunded(
  invoice: Pick<Invoice, 'id' | 'tenantId'>,
  charge: { paymentIntentId: string; amountMinor: number; refundedMinor: number; chargeId?: string; currency?: string },
  webhookSecret: string,
): { body: string; signature: string } {
  return signedEvent(
    'charge.refunded',
    {
      id: charge.chargeId ?? `ch_${crypto.randomBytes(8).toString('hex')}`,
      object: 'charge',
      amount: charge.amountMinor,
      amount_captured: charge.amountMinor,
      amount_refunded: charge.refundedMinor,
      currency: charge.currency ?? 'eur',
      payment_intent: charge.paymentIntentId,
      metadata: { [STRIPE_METADATA.invoiceId]: invoice.id, [STRIPE_METADATA.tenantId]: invoice.tenantId },
    },
    webhookSecret,
  );
}

/**
 * Stripe's event about one refund (`charge.refund.updated`, `refund.updated`, `refund.failed`: the
 * refund is the event's object), as it sends when a refund reported succeeded fails later (the card
 * closed, the bank returned it); stripe-mock sends no events, so the test signs it as Stripe would.
 * Its amount is as Stripe counts `currency` (eur unless named).
 */
export function signedRefundEvent(
  type: 'charge.refund.updated' | 'refund.updated' | 'refund.failed',
  refund: { id: string; paymentIntentId: string; amountMinor: number; status: string; chargeId?: string; currency?: string },
  webhookSecret: string,
): { body: string; signature: string } {
  return signedEvent(
    type,
    {
      id: refund.id,
      object: 'refund',
      amount: refund.amountMinor,
      currency: refund.currency ?? 'eur',
      charge: refund.chargeId ?? `ch_${crypto.randomBytes(8).toString('hex')}`,
      payment_intent: refund.paymentIntentId,
      status: refund.status,
      failure_reason: refund.status === 'failed' ? 'expired_or_canceled_card' : null,
      metadata: {},
    },
    webhookSecret,
  );
}

/** Delivers a signed Stripe event (`signedPaymentSucceeded`, `signedChargeRefunded`, `signedRefundEvent`) to the stack's webhook as Stripe posts it; expects 200. */
export function deliverStripeEvent(stack: Pick<TestStack, 'api'>, event: { body: string; signature: string }) {
  return stack.api
    .post('/api/v1/payments/webhooks/stripe')
    .set('Stripe-Signature', event.signature)
    .set('Content-Type', 'application/json')
    .send(event.body)
    .expect(200);
}
