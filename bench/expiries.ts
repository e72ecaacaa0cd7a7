/**
 * Expiries on the real dev server. N subscriptions whose coverage has ended are started with a
 * start delay that makes all N runs begin within the same second, about a minute ahead (the
 * bench-only path: each run is given its coverage period, as a renewal hands it on, so it expires
 * as soon as it runs). Beside it, N one-activity workflows doing the same I/O (the row change and
 * the e-mail, bench/workflows/one-activity.ts) are started the same way, on the same server with
 * the same worker settings. Drained = every row `expired` and every e-mail received; lag is the
 * time from the shared due moment to each row's expiry.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Subscription } from '../src/models';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/config/logger';
import { acknowledgementLinkKeyOf } from '../src/services/acknowledgement-links';
import { createSmtpMailer } from '../src/services/mailer';
import { temporalDataConverter } from '../src/services/temporal';
import { SUBSCRIPTION_WORKFLOW_TYPE, SubscriptionWorkflow, subscriptionWorkflowId } from '../src/contracts/subscription';
import { createInsurflowWorker, workerActivities } from '../worker/worker';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, runConcurrently, termsFor, type BenchTenant } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { expireDirectlyActivity } from './expiry-activity';
import type { oneActivityExpiry } from './workflows/one-activity';

/** Same for both sides: the SDK's defaults would differ between the two workers' machines only by accident. */
const TUNING = { maxConcurrentActivityTaskExecutions: 100, maxConcurrentWorkflowTaskExecutions: 40, maxCachedWorkflows: 2000 };

interface Drain {
  expiries: number;
  expired: number;
  emails: number;
  secondsToDrain: number;
  perSecond: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
}

export interface ExpiryResult {
  subscriptionRuns: Drain;
  oneActivityRuns: Drain;
  /** Target ≥ 0.7: subscription expiries drained per second ÷ one-activity runs per second. */
  ratio: number;
}

const today = () => new Date().toISOString().slice(0, 10);

/** N active subscriptions whose coverage ended today, as a worker would have left them. */
async function seedEndedSubscriptions(bench: BenchTenant, count: number): Promise<Subscription[]> {
  return Subscription.bulkCreate(
    Array.from({ length: count }, (_, i) => {
      const terms = termsFor(bench, bench.policyholders[i % bench.policyholders.length]);
      return {
        id: terms.subscriptionId,
        tenantId: terms.tenantId,
        planId: terms.planId,
        policyholderId: terms.policyholderId,
        status: 'active' as const,
        coverageAmount: terms.coverageAmount,
        premium: terms.premium,
        durationMonths: terms.durationMonths,
        startDate: today(),
        endDate: today(),
        workflowId: subscriptionWorkflowId(terms.subscriptionId),
      };
    }),
  );
}

/** Starts `count` runs whose first task waits until one shared moment, and returns that moment. */
async function startAllDueTogether(count: number, start: (i: number, delayMs: number) => Promise<unknown>): Promise<number> {
  // Starting takes a few ms per run on a busy machine; the due moment leaves room for all of them.
  const dueAt = Date.now() + 20_000 + count * 10;
  await runConcurrently(count, 32, (i) => start(i, dueAt - Date.now()));
  if (Date.now() >= dueAt) throw new Error('starting the runs took longer than the lead before their due moment');
  return dueAt;
}

/** Each side has its own tenant, so its rows are found by tenant (an index) rather than by a list of thousands of IDs. */
async function drain(infra: BenchInfra, bench: BenchTenant, count: number, dueAt: number): Promise<Drain> {
  const recipients = new Set(bench.policyholders.map((u) => u.email));
  const expiredCount = () => Subscription.count({ where: { tenantId: bench.tenant.id, status: 'expired' } });
  const emails = () => infra.smtp.messages.filter((m) => m.subject.endsWith('has expired') && recipients.has(m.to[0])).length;
  await waitUntil(async () => (await expiredCount()) === count && emails() >= count, 'every expiry persisted and mailed', 30 * 60_000);
  const drainedAt = Date.now();
  const expired = await Subscription.findAll({ where: { tenantId: bench.tenant.id }, attributes: ['updatedAt'] });
  const lags = expired.map((r) => r.updatedAt.getTime() - dueAt);
  const secondsToDrain = (drainedAt - dueAt) / 1000;
  return {
    expiries: count,
    expired: await expiredCount(),
    emails: emails(),
    secondsToDrain,
    perSecond: count / secondsToDrain,
    lagP50Ms: percentile(lags, 50),
    lagP95Ms: percentile(lags, 95),
    lagMaxMs: Math.max(...lags),
  };
}

export async function benchExpiries(infra: BenchInfra, expiries: number): Promise<ExpiryResult> {
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  const config = loadConfig({ DATABASE_URL: infra.databaseUrl, JWT_SECRET: infra.jwtSecret, ...infra.smtp.env });
  const mailer = createSmtpMailer(config.smtp);
  const taskQueue = `bench-expiries-${crypto.randomBytes(3).toString('hex')}`;
  const deps = {
    sequelize: infra.sequelize,
    mailer,
    logger: createLogger('warn', 'bench'),
    temporal: infra.temporal,
    taskQueue,
    // Expiries start no bulk work: one queue.
    bulkTaskQueue: taskQueue,
    webhookTimeoutMs: 5000,
    apiPublicUrl: 'http://127.0.0.1',
    acknowledgementLinkKey: acknowledgementLinkKeyOf(config.jwt),
    sealing: config.jwt,
  };
  try {
    const ours = await createBenchTenant(100);
    const oursRows = await seedEndedSubscriptions(ours, expiries);
    const subscriptionWorker = await createInsurflowWorker({
      connection,
      namespace: 'default',
      taskQueue,
      dataConverter: temporalDataConverter(config.temporal),
      workflowBundlePath: path.join(__dirname, '..', 'workflow-bundle.js'),
      deps,
      tuning: TUNING,
    });
    const subscriptionRuns = await subscriptionWorker.runUntil(async () => {
      const dueAt = await startAllDueTogether(expiries, (i, delayMs) => {
        const row = oursRows[i];
        const terms = {
          ...termsFor(ours, ours.policyholders[i % ours.policyholders.length]),
          subscriptionId: row.id,
          policyholderId: row.policyholderId,
        };
        return infra.temporal.workflow.start<SubscriptionWorkflow>(SUBSCRIPTION_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: row.workflowId!,
          args: [{ terms, period: { startDate: row.startDate!, endDate: row.endDate!, renewalCount: 0 } }],
          startDelay: delayMs,
        });
      });
      return drain(infra, ours, expiries, dueAt);
    });

    const raw = await createBenchTenant(100);
    const rawRows = await seedEndedSubscriptions(raw, expiries);
    const rawQueue = `${taskQueue}-raw`;
    const rawWorker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: rawQueue,
      workflowsPath: require.resolve('./workflows/one-activity'),
      activities: { expireDirectly: expireDirectlyActivity(workerActivities({ ...deps, taskQueue: rawQueue })) },
      ...TUNING,
    });
    const oneActivityRuns = await rawWorker.runUntil(async () => {
      const dueAt = await startAllDueTogether(expiries, (i, delayMs) => {
        const row = rawRows[i];
        return infra.temporal.workflow.start<typeof oneActivityExpiry>('oneActivityExpiry', {
          taskQueue: rawQueue,
          workflowId: `bench-expiry-${row.id}`,
          args: [{ subscriptionId: row.id, tenantId: row.tenantId, policyholderId: row.policyholderId }],
          startDelay: delayMs,
        });
      });
      return drain(infra, raw, expiries, dueAt);
    });
    return { subscriptionRuns, oneActivityRuns, ratio: subscriptionRuns.perSecond / oneActivityRuns.perSecond };
  } finally {
    mailer.close();
    await connection.close();
  }
}
