/**
 * Development only: pays an invoice on the local stack as Stripe would tell it, since stripe-mock
 * takes no payment and sends no webhook. Signs a `payment_intent.succeeded` event with the local
 * webhook secret (STRIPE_WEBHOOK_SECRET, else `.data/stripe-webhook-secret`, which the start
 * command writes) and posts it to the API's Stripe webhook. The event names the invoice's own
 * PaymentIntent, the `paymentIntentId` that POST /invoices/:id/payment-intent answered: the webhook
 * applies no other intent to an invoice.
 *
 *   npm run simulate-payment -- <invoiceId> --intent <pi_…> --tenant <tenantId> --amount <minor units> [--currency EUR] [--api http://127.0.0.1:3000]
 *
 * Refused when NODE_ENV=production: there it would forge a payment with the real secret.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { STRIPE_WEBHOOK_PATH, API_PREFIX } from '../src/api/http/paths';
import { STRIPE_API_VERSION, STRIPE_METADATA } from '../src/services/payment-provider';

export interface SimulatedPayment {
  invoiceId: string;
  /** The invoice's PaymentIntent (`pi_…`), as POST /invoices/:id/payment-intent answered it. */
  intentId: string;
  tenantId: string;
  amountMinor: number;
  currency: string;
  /** The API's base URL, `http://127.0.0.1:3000`. */
  api: string;
  webhookSecret: string;
}

export class SimulationRefused extends Error {}

/** Signs and posts the event; answers the API's status and body. */
export async function simulatePayment(
  payment: SimulatedPayment,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number; body: unknown }> {
  if (env.NODE_ENV === 'production') throw new SimulationRefused('simulate-payment is for development: refused with NODE_ENV=production');
  const payload = JSON.stringify({
    id: `evt_simulated_${crypto.randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: 'payment_intent.succeeded',
    data: {
      object: {
        id: payment.intentId,
        object: 'payment_intent',
        amount: payment.amountMinor,
        amount_received: payment.amountMinor,
        currency: payment.currency.toLowerCase(),
        status: 'succeeded',
        metadata: { [STRIPE_METADATA.invoiceId]: payment.invoiceId, [STRIPE_METADATA.tenantId]: payment.tenantId },
      },
    },
  });
  // The SDK's own signing, the scheme the webhook checks (a key is needed to build a client, never used).
  const signature = new Stripe('sk_test_simulate').webhooks.generateTestHeaderString({ payload, secret: payment.webhookSecret });
  const answer = await fetch(`${payment.api}${API_PREFIX}${STRIPE_WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
    body: payload,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: answer.status, body: await answer.json().catch(() => null) };
}

const USAGE =
  'usage: simulate-payment <invoiceId> --intent <pi_…> --tenant <tenantId> --amount <minor units> [--currency EUR] [--api http://127.0.0.1:3000]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      intent: { type: 'string' },
      tenant: { type: 'string' },
      amount: { type: 'string' },
      currency: { type: 'string' },
      api: { type: 'string' },
    },
  });
  const [invoiceId] = positionals;
  const amountMinor = Number(values.amount);
  if (!invoiceId || !values.intent || !values.tenant || !Number.isSafeInteger(amountMinor) || amountMinor <= 0)
    throw new SimulationRefused(USAGE);
  const secretFile = path.join(__dirname, '..', '..', '.data', 'stripe-webhook-secret');
  const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? (fs.existsSync(secretFile) ? fs.readFileSync(secretFile, 'utf8').trim() : '');
  if (!webhookSecret)
    throw new SimulationRefused('no webhook secret: set STRIPE_WEBHOOK_SECRET or run the start command once (.data/stripe-webhook-secret)');
  const api = values.api ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
  const answer = await simulatePayment({
    invoiceId,
    intentId: values.intent,
    tenantId: values.tenant,
    amountMinor,
    currency: values.currency ?? 'EUR',
    api,
    webhookSecret,
  });
  process.stdout.write(`${answer.status} ${JSON.stringify(answer.body)}\n`);
  if (answer.status !== 200) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(err instanceof SimulationRefused ? `${err.message}\n` : `${err.stack ?? err}\n`);
    process.exit(err instanceof SimulationRefused ? 2 : 1);
  });
}
