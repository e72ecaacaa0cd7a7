/**
 * Workflow starts through the API vs the raw SDK client, on the same dev server in one run.
 * POST /subscriptions is an update-with-start that answers once the run has activated the
 * subscription, so the like-for-like SDK call is the same update-with-start; a plain
 * `workflow.start` (fire and forget) is measured too, for scale.
 */
import { AddressInfo } from 'node:net';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Op } from 'sequelize';
import { createApp } from '../src/api/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/config/logger';
import { Subscription, User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { confirmActivationUpdate, subscriptionWorkflowId, SubscriptionTerms } from '../src/workflows/subscription-messages';
import { workflowStartOptions } from '../src/api/workflow-start';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, runConcurrently, termsFor, waitUntil } from './fixtures';
import { startSubscription } from './start-subscription';
import { startWorkerProcess } from './worker-process';

const CONCURRENCY = 16;

interface Rate {
  count: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
}

export interface StartsResult {
  concurrency: number;
  apiPost: Rate;
  sdkUpdateWithStart: Rate;
  sdkPlainStart: Rate;
  /** The target: API ÷ the same operation through the SDK. */
  ratioApiToSdkUpdateWithStart: number;
  ratioApiToSdkPlainStart: number;
}

async function measure(count: number, task: (i: number) => Promise<unknown>): Promise<Rate> {
  const started = performance.now();
  const latencies = await runConcurrently(count, CONCURRENCY, task);
  const seconds = (performance.now() - started) / 1000;
  return { count, perSecond: count / seconds, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}

function sum(a: Rate, b: Rate): Rate {
  const count = a.count + b.count;
  const seconds = a.count / a.perSecond + b.count / b.perSecond;
  return { count, perSecond: count / seconds, p50Ms: (a.p50Ms + b.p50Ms) / 2, p95Ms: Math.max(a.p95Ms, b.p95Ms) };
}

export async function benchStarts(infra: BenchInfra, starts: number): Promise<StartsResult> {
  const taskQueue = 'bench-starts';
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: infra.jwtSecret,
    SMTP_PORT: String(infra.smtp.port),
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  const app = createApp({ config, sequelize: infra.sequelize, temporal: infra.temporal, logger: createLogger('silent', 'bench') });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/subscriptions`;
  const bench = await createBenchTenant(100);
  const tokens = bench.policyholders.map((user: User) => issueAccessToken(config.jwt, user));

  const viaApi = async (i: number) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planId: bench.plan.id }),
    });
    if (response.status !== 201) throw new Error(`POST /subscriptions answered ${response.status}: ${await response.text()}`);
  };
  const viaSdk = (i: number) => {
    const terms: SubscriptionTerms = termsFor(bench, bench.policyholders[i % bench.policyholders.length]);
    return infra.temporal.workflow.executeUpdateWithStart(confirmActivationUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation('subscriptionWorkflow', {
        ...workflowStartOptions(taskQueue, { workflowId: subscriptionWorkflowId(terms.subscriptionId), tenantId: terms.tenantId, status: 'pending', summary: 'bench' }),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ terms }],
      }),
    });
  };
  const worker = await startWorkerProcess(infra.temporal, env);
  try {
    // Warm-up, then alternate halves so that drift on a shared machine hits both sides alike.
    await measure(40, viaApi);
    await measure(40, viaSdk);
    const half = Math.floor(starts / 2);
    const sdk1 = await measure(half, viaSdk);
    const api1 = await measure(half, viaApi);
    const api2 = await measure(half, viaApi);
    const sdk2 = await measure(half, viaSdk);
    const plain = await measure(2 * half, (i) => startSubscription(infra.temporal, taskQueue, termsFor(bench, bench.policyholders[i % 100])));
    await waitUntil('plain starts activated', async () => (await Subscription.count({ where: { tenantId: bench.tenant.id, status: { [Op.ne]: 'active' } } })) === 0, 300_000);

    const apiPost = sum(api1, api2);
    const sdkUpdateWithStart = sum(sdk1, sdk2);
    return {
      concurrency: CONCURRENCY,
      apiPost,
      sdkUpdateWithStart,
      sdkPlainStart: plain,
      ratioApiToSdkUpdateWithStart: apiPost.perSecond / sdkUpdateWithStart.perSecond,
      ratioApiToSdkPlainStart: apiPost.perSecond / plain.perSecond,
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await worker.stop();
  }
}

