/**
 * 5,000 subscriptions expiring at the same instant. On the time-skipping server every run is
 * started and activated on one day, then a year is skipped: all expiry timers fire together and
 * the worker persists each expiry. Lag is wall-clock time from the first persisted expiry to
 * each one's (the burst's queueing delay); all must end up persisted.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { Subscription } from '../src/models';
import { createLogger } from '../src/config/logger';
import { createSmtpMailer } from '../src/services/mailer';
import { createInsurflowWorker } from '../worker/worker';
import { resolveTestServer } from '../scripts/local/tools';
import { createTimeSkippingEnv } from '../tests/support/time-skipping';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, runConcurrently, termsFor } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { SUBSCRIPTION_WORKFLOW_TYPE, SubscriptionWorkflow, subscriptionWorkflowId } from '../src/contracts/subscription';

export interface ExpiryResult {
  expiries: number;
  persisted: number;
  distinctEndDates: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
  secondsToActivateAll: number;
}

export async function benchExpiries(infra: BenchInfra, expiries: number): Promise<ExpiryResult> {
  process.env.TEMPORAL_TEST_SERVER_PATH ??= resolveTestServer();
  const env = await createTimeSkippingEnv();
  const mailer = createSmtpMailer({ host: '127.0.0.1', port: infra.smtp.port, secure: false, from: 'bench@insurflow.local' });
  const taskQueue = 'bench-expiries';
  const worker = await createInsurflowWorker({
    connection: env.nativeConnection as NativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundlePath: path.join(__dirname, '..', 'workflow-bundle.js'),
    deps: { sequelize: infra.sequelize, mailer, logger: createLogger('warn', 'bench'), temporal: env.client, taskQueue, webhookTimeoutMs: 5000, apiPublicUrl: 'http://127.0.0.1' },
    tuning: { maxCachedWorkflows: expiries + 100, maxConcurrentActivityTaskExecutions: 100 },
  });
  const bench = await createBenchTenant(100);
  const count = (status: string) => Subscription.count({ where: { tenantId: bench.tenant.id, status } });
  try {
    return await worker.runUntil(async () => {
      const started = Date.now();
      await runConcurrently(expiries, 32, (i) => {
        const terms = termsFor(bench, bench.policyholders[i % bench.policyholders.length]);
        return env.client.workflow.start<SubscriptionWorkflow>(SUBSCRIPTION_WORKFLOW_TYPE, { taskQueue, workflowId: subscriptionWorkflowId(terms.subscriptionId), args: [{ terms }] });
      });
      await waitUntil(async () => (await count('active')) === expiries, 'all subscriptions active', 20 * 60_000);
      const secondsToActivateAll = (Date.now() - started) / 1000;

      // Skip exactly to the shared expiry moment: a sleep past the last timer would wait in real time.
      const [{ endDate }] = await Subscription.findAll({ where: { tenantId: bench.tenant.id }, attributes: ['endDate'], limit: 1 });
      await env.sleep(Date.parse(`${endDate}T00:00:01Z`) - (await env.currentTimeMs()));
      await waitUntil(async () => (await count('expired')) === expiries, 'all expiries persisted', 30 * 60_000);
      const rows = await Subscription.findAll({ where: { tenantId: bench.tenant.id }, attributes: ['status', 'endDate', 'updatedAt'] });
      const firstExpiry = Math.min(...rows.map((r) => r.updatedAt.getTime()));
      const lags = rows.map((r) => r.updatedAt.getTime() - firstExpiry);
      return {
        expiries,
        persisted: rows.filter((r) => r.status === 'expired').length,
        distinctEndDates: new Set(rows.map((r) => r.endDate)).size,
        lagP50Ms: percentile(lags, 50),
        lagP95Ms: percentile(lags, 95),
        lagMaxMs: Math.max(...lags),
        secondsToActivateAll,
      };
    });
  } finally {
    mailer.close();
    await env.teardown();
  }
}
