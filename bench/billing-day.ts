/**
 * A monthly billing day on the real stack (docs/premiums.md, Measured): N policies of a tenant
 * that collects premiums are taken out through the API, each billed monthly, so each run waits
 * `pending_payment` for a first instalment due today. Then the payment provider reports all N
 * paid: N signed `payment_intent.succeeded` webhooks posted to the API at `concurrency`, as
 * Stripe delivers them. Processed = every invoice `paid` and every run has activated its policy
 * (the row `active`, the activation e-mail received), the outbox relay carrying each run's signal.
 */
import crypto from 'node:crypto';
import { loadConfig } from '../src/config';
import { Invoice, PaymentIntentRecord, Plan, Subscription, TenantSettings, type User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { simulatePayment } from '../scripts/simulate-payment';
import { waitUntil } from '../tests/support/waiting';
import { createBenchTenant, percentile, runConcurrently } from './fixtures';
import type { BenchInfra } from './infra';
import { apiEnvFor, startApiProcess, startWorkerProcess } from './processes';

interface Phase {
  count: number;
  seconds: number;
  perSecond: number;
}

export interface BillingDayResult {
  policies: number;
  concurrency: number;
  /** POST /subscriptions until every run waits with its 12 invoices issued. */
  issued: Phase & { invoices: number };
  /** The webhooks alone: their rate and latency at the API. */
  webhooks: Phase & { p50Ms: number; p95Ms: number };
  /** From the first webhook until every policy is active and its e-mail received. */
  processed: Phase;
}

/** The subject of the activation e-mail (src/workflows/subscription.ts) of the bench tenant's plan. */
const ACTIVATED = 'Your Home Basic subscription is active';

/** A year billed monthly. */
const INSTALMENTS = 12;

const phase = (count: number, startedMs: number): Phase => {
  const seconds = (performance.now() - startedMs) / 1000;
  return { count, seconds, perSecond: count / seconds };
};

export async function benchBillingDay(infra: BenchInfra, policies: number, concurrency: number): Promise<BillingDayResult> {
  const taskQueue = 'bench-billing-day';
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
  // Webhooks are only verified with the secret: the provider's API itself is never called here.
  const env = {
    ...(await apiEnvFor(infra, taskQueue)),
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: 'http://127.0.0.1:9',
  };
  const config = loadConfig(env);
  const bench = await createBenchTenant(100);
  await TenantSettings.update({ values: { collectPremiums: true } }, { where: { tenantId: bench.tenant.id } });
  await Plan.update({ billingFrequency: 'monthly', currency: 'EUR' }, { where: { id: bench.plan.id } });
  const tokens = bench.policyholders.map((user: User) => issueAccessToken(config.jwt, user));
  const api = await startApiProcess(env);
  const worker = await startWorkerProcess(infra.temporal, env);
  try {
    let started = performance.now();
    await runConcurrently(policies, concurrency, async (i) => {
      const response = await fetch(`${api.url}/api/v1/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ planId: bench.plan.id }),
      });
      if (response.status !== 202) throw new Error(`POST /subscriptions answered ${response.status}: ${await response.text()}`);
    });
    const waiting = { tenantId: bench.tenant.id, status: 'pending_payment' as const };
    // The run bills the term just after the row turns pending_payment: both are waited for.
    await waitUntil(
      async () =>
        (await Subscription.count({ where: waiting })) === policies &&
        (await Invoice.count({ where: { tenantId: bench.tenant.id } })) === INSTALMENTS * policies,
      'every run waiting for its first premium, its instalments issued',
      600_000,
    );
    const issued = { ...phase(policies, started), invoices: INSTALMENTS * policies };

    const due = await Invoice.findAll({ where: { tenantId: bench.tenant.id, sequence: 1 }, attributes: ['id', 'amountMinor'] });
    // Each invoice's PaymentIntent as its holder's ask keeps it (no provider runs here): the webhook applies that intent only.
    const intents = await PaymentIntentRecord.bulkCreate(
      due.map((invoice) => ({
        tenantId: bench.tenant.id,
        invoiceId: invoice.id,
        provider: 'stripe',
        providerIntentId: `pi_bench${crypto.randomBytes(8).toString('hex')}`,
        amountMinor: invoice.amountMinor,
        currency: 'EUR',
      })),
    );
    started = performance.now();
    const latencies = await runConcurrently(due.length, concurrency, async (i) => {
      const { status } = await simulatePayment({
        invoiceId: due[i].id,
        intentId: intents[i].providerIntentId,
        tenantId: bench.tenant.id,
        amountMinor: due[i].amountMinor,
        currency: 'EUR',
        api: api.url,
        webhookSecret,
      });
      if (status !== 200) throw new Error(`the webhook answered ${status}`);
    });
    const webhooks = { ...phase(due.length, started), p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
    await waitUntil(
      async () =>
        (await Subscription.count({ where: { tenantId: bench.tenant.id, status: 'active' } })) === policies &&
        infra.smtp.messages.filter((mail) => mail.subject === ACTIVATED).length === policies,
      'every policy active and told so',
      600_000,
    );
    return { policies, concurrency, issued, webhooks, processed: phase(policies, started) };
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
  }
}
